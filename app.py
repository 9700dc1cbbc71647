"""Entry point: `gunicorn app:app` and `flask --app app ...`."""

from jumpseller_app import create_app

app = create_app()
