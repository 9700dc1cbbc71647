"""The one error a record change raises when it breaks a rule (each record kind subclasses it)."""
from __future__ import annotations


class RecordError(Exception):
    """A record change that breaks a rule; `errors` maps field → messages (Rails style)."""

    kind = "record"

    def __init__(self, errors: dict):
        super().__init__(f"invalid {self.kind}")
        self.errors = errors


class Forbidden(Exception):
    """A change the caller may not make to an existing record (403); the message is the answer's."""
