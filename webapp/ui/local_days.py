"""Days as people mean them: whole days in their own time zone, read leniently from a query string."""
from __future__ import annotations

from datetime import date, tzinfo
from zoneinfo import ZoneInfo

from flask_babel import get_timezone

from ..extensions import engine


def user_zone() -> tzinfo:
    """The person's time zone as a `ZoneInfo`, else the business time zone: Flask-Babel hands out pytz
    zones, and pytz zones given to `datetime(..., tzinfo=...)` use local mean time (Shanghai +08:06),
    not the real offset."""
    try:
        return ZoneInfo(str(get_timezone()))
    except (KeyError, ValueError):
        return engine().zone


def query_day(value: str) -> date | None:
    """The day, or None; the first and last days a `date` holds are out, since a time zone or the day
    after them (the end of a range) would not fit in a datetime."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or date.min < day < date.max else None
