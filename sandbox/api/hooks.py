"""/v1/hooks: list, by id, create, update, delete (delivering them is another module's job)."""
from __future__ import annotations

from ..records import setting_forms as forms
from ..records.settings import HOOK_FIELDS, shown
from . import crud
from .apps import calling_application
from .simple import settings_resource

_parse_hook = forms.parser("hook", forms.HOOK, ("event", "url"))


def _parse(body, *, partial: bool) -> tuple[dict, dict]:
    fields, errors = _parse_hook(body, partial=partial)
    if not partial:   # a hook belongs to the app that made it (null for the store owner)
        app = calling_application()
        fields["application_id"] = app.id if app else None
    return fields, errors


HOOKS = settings_resource("hook", "Hook", _parse, shown=lambda record: shown(record, HOOK_FIELDS),
                          paged=True, stamped=True)
crud.register(HOOKS, "/hooks.json", "/hooks/{id}.json", "read_hooks", "write_hooks",
              ("list", "get", "create", "update", "delete"))
