"""The sync page: the mirror's progress, and the button that starts a full sync."""

from flask import Blueprint

bp = Blueprint("sync", __name__, url_prefix="/sync")
