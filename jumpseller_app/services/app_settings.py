"""Per-store settings of the app: defaults, validation and persistence."""

import re

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..i18n import LOCALES
from ..models import Settings

EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
DEFAULTS = {"widget_title": "", "widget_enabled": False, "notification_email": ""}


class SettingsInvalid(ValueError):
    """Some fields were rejected; `errors` maps field → message, `values` holds what was submitted."""

    def __init__(self, errors, values):
        super().__init__("invalid settings")
        self.errors = errors
        self.values = values


def current(store):
    """The store's settings merged over the defaults, plus its locale override ("" = the browser's)."""
    row = store.settings
    values = {**DEFAULTS, **((row.values or {}) if row else {})}
    if not values["widget_title"]:
        values["widget_title"] = store.name[:60]
    return {**values, "locale": (row.locale or "") if row else ""}


def validate(form):
    """Clean submitted settings; raises SettingsInvalid with a message per bad field."""
    title = " ".join(str(form.get("widget_title", "")).split())
    email = str(form.get("notification_email", "")).strip()
    locale = str(form.get("locale", "")).strip()
    values = {"widget_title": title, "widget_enabled": form.get("widget_enabled") in ("on", "1", "true", True),
              "notification_email": email, "locale": locale}
    errors = {}
    if not title:
        errors["widget_title"] = _l("Give the widget a title.")
    elif len(title) > 60:
        errors["widget_title"] = _l("Keep the title to 60 characters or fewer.")
    if email and (len(email) > 254 or not EMAIL.match(email)):
        errors["notification_email"] = _l("Enter a valid email address, or leave it empty.")
    if values["widget_enabled"] and not email:
        errors["notification_email"] = _l("The widget sends notifications: give an email address to enable it.")
    if locale and locale not in LOCALES:
        errors["locale"] = _l("Pick one of the offered languages.")
    if errors:
        raise SettingsInvalid(errors, values)
    return values


def save(store, form):
    """Validate and persist the store's settings; returns the saved values."""
    values = validate(form)
    row = store.settings or Settings(values={})
    store.settings = row
    row.locale = values.pop("locale") or None
    # A new dict, so SQLAlchemy sees the JSON column change.
    row.values = {**(row.values or {}), **values}
    db.session.commit()
    return current(store)
