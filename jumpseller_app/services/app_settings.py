"""Per-store settings of the app: defaults, validation and persistence."""

import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..i18n import LOCALES
from ..models import Settings

# Bidirectional overrides and isolates: invisible, and able to make stored text read differently than it is.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
DEFAULTS = {"widget_title": "", "widget_enabled": False, "notification_email": ""}
# The settings that hold a person's data: cleared by the personal-data purge after a disconnect.
PERSONAL = ("notification_email",)


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


def has_control_characters(text):
    """Whether `text` holds control characters (newlines, NUL, escapes…) or bidirectional overrides."""
    return any(unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS for ch in text)


def _normal_email(email):
    """The address as email-validator normalises it (syntax only: no DNS lookups from a page request)."""
    return validate_email(email, check_deliverability=False).normalized


def validate(form):
    """Clean submitted settings; raises SettingsInvalid with a message per bad field."""
    raw = {name: str(form.get(name, "")) for name in ("widget_title", "notification_email", "locale")}
    title = " ".join(raw["widget_title"].split())
    email = raw["notification_email"].strip()
    locale = raw["locale"].strip()
    values = {"widget_title": title, "widget_enabled": form.get("widget_enabled") in ("on", "1", "true", True),
              "notification_email": email, "locale": locale}
    errors = {}
    if not title:
        errors["widget_title"] = _l("Give the widget a title.")
    elif len(title) > 60:
        errors["widget_title"] = _l("Keep the title to 60 characters or fewer.")
    if email and len(email) <= 254 and not has_control_characters(email):
        try:
            values["notification_email"] = email = _normal_email(email)
        except EmailNotValidError:
            errors["notification_email"] = _l("Enter a valid email address, or leave it empty.")
    elif email:
        errors["notification_email"] = _l("Enter a valid email address, or leave it empty.")
    if values["widget_enabled"] and not email:
        errors["notification_email"] = _l("The widget sends notifications: give an email address to enable it.")
    if locale and locale not in LOCALES:
        errors["locale"] = _l("Pick one of the offered languages.")
    for name, text in raw.items():
        # Checked on what was sent, before whitespace is tidied: a newline in a title is refused, not folded.
        if has_control_characters(text):
            errors[name] = _l("Remove the control characters from this field.")
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


def forget_personal_data(store):
    """Clear the settings that hold a person's data (the widget stops notifying); no commit. Returns how many
    values were cleared."""
    row = store.settings
    values = dict(row.values or {}) if row else {}
    cleared = [name for name in PERSONAL if values.get(name)]
    if cleared:
        row.values = {**values, **{name: DEFAULTS[name] for name in cleared}, "widget_enabled": False}
    return len(cleared)
