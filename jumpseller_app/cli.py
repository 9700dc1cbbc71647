"""Command-line tools: `flask --app app <command>`."""

import sys
from datetime import datetime, timezone

import click
from tqdm import tqdm

from .crypto import generate_key
from .jobs import heartbeat, sync_tasks, worker
from .services import clients, credentials, snapshots, sync
from .services import connect as connect_service


class SyncProgress:
    """One tqdm bar per resource: pages done out of the pages its count announced (the checkpoint's figures)."""

    def __init__(self):
        self.bar, self.resource = None, None

    def update(self, resource, pages_done, pages_total):
        if resource != self.resource:
            self.close()
            self.resource = resource
            self.bar = tqdm(total=pages_total, initial=pages_done, desc=resource, unit="page", file=sys.stderr)
        if pages_total is not None and pages_done > pages_total:
            self.bar.total = pages_done                   # the catalog grew during the walk
        self.bar.n = pages_done
        self.bar.refresh()

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


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
        """Recompute a store's dashboard figures from its mirror now, as the recompute job does.

        Calls nothing at Jumpseller: the figures are only as fresh as the mirror (run `sync` first for newer ones).
        """
        problems = snapshots.refresh_snapshot(store_code)
        if problems:
            raise click.ClickException(f"Refreshed {store_code} with problems: " + "; ".join(problems))
        click.echo(f"Refreshed the dashboard of {store_code}.")

    @app.cli.command("sync")
    @click.argument("store_code")
    @click.option("--incremental", is_flag=True, help="Only new products and orders (ids above the mirror's).")
    def sync_command(store_code, incremental):
        """Sync a store's mirror from Jumpseller now, in this process, with a progress bar per resource.

        A full sync resumes the unfinished pass from its checkpoints (a run stopped by Ctrl-C or a crash loses
        at most the page in flight).
        """
        if sync_tasks.is_syncing(store_code):
            raise click.ClickException(f"A sync of {store_code} is queued or running in the worker; wait for it.")
        bars = SyncProgress()
        try:
            result = sync.run_sync(store_code, "incremental" if incremental else "full", progress=bars.update)
        except clients.UnknownStore as exc:
            raise click.ClickException(str(exc)) from exc
        finally:
            bars.close()
        for resource, outcome in result.resources.items():
            line = f"{resource}: {outcome.pages} page(s), {outcome.items} item(s)"
            if outcome.deleted:
                line += f", {outcome.deleted} deleted"
            if outcome.skipped:
                line += f" (skipped: {outcome.skipped})"
            if outcome.errors:
                line += " (failed: " + "; ".join(outcome.errors) + ")"
            click.echo(line)
        if result.reauth:
            raise click.ClickException(f"{store_code} must be reconnected: its authorization was revoked.")
        if not result.ok:
            raise click.ClickException("The sync stopped with errors; run it again to resume from the checkpoints.")

    @app.cli.command("worker")
    def run_worker():
        """Run the background worker until stopped: it takes the queued jobs (syncs, dashboard recomputes, hooks
        checks, token revocations, purges) and runs the periodic ones (inbox drain, reconciliation, checks)."""
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
