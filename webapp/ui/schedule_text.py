"""A schedule's rule and times in the reader's language, in the business time zone (a stocktake "on
the 1st at 02:00" is the operations center's 02:00, wherever the administrator reads it)."""
from __future__ import annotations

from datetime import datetime, tzinfo

from babel.dates import format_datetime, format_time
from flask_babel import get_locale
from flask_babel import gettext as _

from engine.views import ScheduleView


def zone_time(value: datetime | None, zone: tzinfo) -> str:
    """A moment as the business zone's date and time, with the zone's name; empty for none."""
    if value is None:
        return ""
    local = value.astimezone(zone)
    shown = format_datetime(local, "medium", tzinfo=zone, locale=get_locale())
    return f"{shown} ({getattr(zone, 'key', zone)})"


def rule_words(schedule: ScheduleView, zone: tzinfo) -> str:
    """The rule as a sentence: "Monthly on day 1 at 02:00", "Every 2 weeks at 09:00", "Once, on ..."."""
    start = datetime.fromisoformat(schedule.every["start"]).astimezone(zone)
    if schedule.every["kind"] == "date":
        return _("Once, on %(when)s", when=zone_time(start, zone))
    at = format_time(start, "short", tzinfo=zone, locale=get_locale())
    every = schedule.every.get("every", {})
    months, days = every.get("months", 0), every.get("days", 0)
    hours, minutes = every.get("hours", 0), every.get("minutes", 0)
    if months and not (days or hours or minutes):
        text = (_("Monthly on day %(day)d at %(time)s", day=start.day, time=at) if months == 1 else
                _("Every %(n)d months on day %(day)d at %(time)s", n=months, day=start.day, time=at))
    elif days and not (months or hours or minutes):
        weeks = 0 if days % 7 else days // 7
        text = (_("Weekly at %(time)s", time=at) if weeks == 1 else
                _("Every %(n)d weeks at %(time)s", n=weeks, time=at) if weeks else
                _("Daily at %(time)s", time=at) if days == 1 else
                _("Every %(n)d days at %(time)s", n=days, time=at))
    elif hours and not (months or days or minutes):
        text = _("Hourly") if hours == 1 else _("Every %(n)d hours", n=hours)
    else:
        text = _("Repeats by the rule %(rule)s", rule=schedule.rule)
    cycles = schedule.every.get("cycles", -1)
    if cycles > 0:
        text = _("%(text)s, %(n)d times in all", text=text, n=cycles)
    return text


def start_for_words(schedule: ScheduleView) -> str:
    """Whom each period starts cases for."""
    target = schedule.start_for
    if target.get("for") != "stores":
        return _("One case")
    filters = [str(target[k]) for k in ("status", "kind", "region") if target.get(k)]
    text = _("One case per store (%(filters)s)", filters=", ".join(filters))
    return _("%(text)s and one for the warehouse", text=text) if target.get("plus_one") else text
