"""The Webhooks page: the last 24 h of hook deliveries, failures and dead letters, with replay."""

from flask import Blueprint

bp = Blueprint("webhooks_admin", __name__, url_prefix="/webhooks-log")
