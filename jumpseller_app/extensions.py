"""Unbound extension singletons, bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from huey import Huey

db = SQLAlchemy()
migrate = Migrate()
csrf = CSRFProtect()
# Per client IP (the real one: forwarded headers count only from TRUSTED_PROXIES); limits sit on the views.
limiter = Limiter(get_remote_address)
# The job queue; jobs/queue.py gives it its storage (SQLite file or Redis). Until then it runs jobs in-process.
queue = Huey("jumpseller_app", immediate=True)
