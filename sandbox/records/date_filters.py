"""The orders list's `dateFilter`: calendar-day windows in the store's time zone, as timestamps."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DATE_FILTERS = ("today", "yesterday", "last7days", "last30days", "last90days", "customDate")
_LAST_DAYS = {"last7days": 7, "last30days": 30, "last90days": 90}


class DateFilterError(ValueError):
    """A dateFilter that cannot be applied (unknown name, missing or malformed dates)."""


def _zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def _day_start(day: date, zone) -> float:
    return datetime.combine(day, time.min, tzinfo=zone).timestamp()


def _parse_day(value: str | None, name: str) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise DateFilterError(f"{name} must be a date in the format YYYY-MM-DD") from None


def window(name: str, now: float, zone_name: str, initial: str | None = None,
           final: str | None = None) -> tuple[float, float]:
    """(since, until) inclusive timestamps; "lastNdays" means the N calendar days ending today."""
    zone = _zone(zone_name)
    today = datetime.fromtimestamp(now, zone).date()
    if name == "today":
        first, last = today, today
    elif name == "yesterday":
        first = last = today - timedelta(days=1)
    elif name in _LAST_DAYS:
        first, last = today - timedelta(days=_LAST_DAYS[name] - 1), today
    elif name == "customDate":
        first, last = _parse_day(initial, "initialDate"), _parse_day(final, "finalDate")
        if last < first:
            raise DateFilterError("finalDate must not be before initialDate")
    else:
        raise DateFilterError(f"dateFilter must be one of {', '.join(DATE_FILTERS)}")
    return _day_start(first, zone), _day_start(last + timedelta(days=1), zone) - 1e-6
