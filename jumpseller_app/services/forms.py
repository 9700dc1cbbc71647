"""What the feature pages' form readers share: the error that sends a form back, and ids typed in a form."""

MAX_ID_DIGITS = 18


class Invalid(ValueError):
    """A form that cannot be sent: {field: [messages]} and the values as typed."""

    def __init__(self, errors, values):
        super().__init__("invalid form")
        self.errors = errors
        self.values = values


def text_id(text):
    """A remote id typed in a form ("" → None); ValueError for anything but digits."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > MAX_ID_DIGITS:
        raise ValueError(text)
    return int(text)
