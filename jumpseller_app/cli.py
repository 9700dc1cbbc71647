"""Command-line tools: `flask --app app <command>`."""

from datetime import datetime, timezone

import click

from .crypto import generate_key
from .jobs import heartbeat, worker
from .services import connect as connect_service
from .services import credentials, snapshots


def init_app(app):
    """Register the commands."""

    @app.cli.command("connect-basic")
    @click.option("--login", required=True, help="The store's API login.")
    @click.option("--authtoken", prompt=True, hide_input=True, help="The store's API authtoken (prompted if omitted).")
    def connect_basic(login, authtoken):
        """Connect a store with Basic auth (login + authtoken), verified against Jumpseller."""
        try:
            store = connect_service.connect_basic(login=login, authtoken=authtoken, operator=True)
        except connect_service.ConnectError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Connected store {store.code} ({store.name}) with Basic auth.")

    @app.cli.command("refresh-snapshot")
    @click.argument("store_code")
    def refresh_snapshot(store_code):
        """Fetch a store's dashboard figures from Jumpseller now (as a job does, outside any request)."""
        problems = snapshots.refresh_snapshot(store_code)
        if problems:
            raise click.ClickException(f"Refreshed {store_code} with problems: " + "; ".join(problems))
        click.echo(f"Refreshed the dashboard of {store_code}.")

    @app.cli.command("worker")
    def run_worker():
        """Run the background worker: it takes the jobs (dashboard refreshes) off the queue until stopped."""
        if app.config["JOBS_IMMEDIATE"]:
            raise click.ClickException("JOBS_IMMEDIATE is on: jobs run in-process and a worker has nothing to do.")
        worker.run(app)

    jobs = click.Group("jobs", help="The background job queue.")
    app.cli.add_command(jobs)

    @jobs.command("status")
    def jobs_status():
        """Print the worker's last heartbeat, its age and the number of jobs waiting."""
        state = heartbeat.status()
        beat = state["beat"]
        if beat is None:
            click.echo("Worker: never seen (is `flask --app app worker` running?)")
        else:
            seen = datetime.fromtimestamp(beat["at"], timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
            click.echo(f"Worker: {'alive' if state['alive'] else 'NOT RUNNING'}; last heartbeat {seen} "
                       f"({state['age']:.0f} s ago) from pid {beat['pid']} on {beat['host']}")
        click.echo(f"Pending jobs: {state['pending']}")

    @app.cli.command("rotate-keys")
    def rotate_keys():
        """Re-encrypt every stored secret with the first key of TOKEN_ENCRYPTION_KEYS."""
        count = credentials.rotate_keys()
        click.echo(f"Re-encrypted {count} value(s) with key {credentials.cipher().current_key_id}.")

    @app.cli.command("generate-key")
    def generate_key_command():
        """Print a new random key for TOKEN_ENCRYPTION_KEYS."""
        click.echo(generate_key())
