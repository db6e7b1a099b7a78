"""Which events a person hears of by which channel, and their quiet hours (issue 12).

A person has a switch per event kind and channel; only the switches they turned away from the
default are stored, so a new kind or a changed default reaches everyone who has not chosen. Quiet
hours (default 22:00–08:00 in the person's own time zone) hold non-urgent e-mail to the morning; the
inbox is never held, and urgent kinds (overdue, urged) are never held.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.models import MAIL, PERSONAL_CHANNELS, NotificationPreference, QuietHours, User

#: Every kind of thing a person may be told, in the order the preferences page lists them.
EVENT_KINDS = ("assigned", "transferred", "sent_back", "approver", "claimable", "due_soon", "overdue",
               "urged", "cc", "mentioned", "outcome", "finished", "withdrawn", "terminated", "digest")
#: Kinds that are not held by quiet hours: the person is late, or someone is waiting on them.
URGENT_KINDS = frozenset({"overdue", "urged"})
#: Switches that are off unless a person turns them on (everything else is on).
_OFF_BY_DEFAULT = frozenset({("cc", MAIL)})
DEFAULT_QUIET = ("22:00", "08:00")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def default_on(kind: str, channel: str) -> bool:
    return (kind, channel) not in _OFF_BY_DEFAULT


@dataclass(frozen=True)
class Choices:
    """One person's switches and quiet hours, as routing and the preferences page read them."""

    user_id: int
    timezone: str = "UTC"
    email: str | None = None
    active: bool = True
    quiet_enabled: bool = True
    quiet_start: str = DEFAULT_QUIET[0]
    quiet_end: str = DEFAULT_QUIET[1]
    changed: Mapping[tuple[str, str], bool] = field(default_factory=dict)

    def wants(self, kind: str, channel: str) -> bool:
        return self.changed.get((kind, channel), default_on(kind, channel))

    def held_until(self, kind: str, now: datetime) -> datetime | None:
        """When a message of `kind` written at `now` may leave: None now, else the quiet hours' end."""
        if kind in URGENT_KINDS or not self.quiet_enabled:
            return None
        return quiet_until(now, self.timezone, self.quiet_start, self.quiet_end)

    def to_dict(self) -> dict[str, Any]:
        return {"channels": list(PERSONAL_CHANNELS), "kinds": list(EVENT_KINDS),
                "switches": {k: {c: self.wants(k, c) for c in PERSONAL_CHANNELS} for k in EVENT_KINDS},
                "quiet_hours": {"enabled": self.quiet_enabled, "start": self.quiet_start,
                                "end": self.quiet_end, "timezone": self.timezone}}


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _clock_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_until(now: datetime, zone: str | None, start: str, end: str) -> datetime | None:
    """The end of the quiet hours `now` falls in (UTC), or None when `now` is not in them. The
    hours are local wall-clock times in `zone` and may run over midnight (22:00–08:00)."""
    begin, finish = _clock_time(start), _clock_time(end)
    if begin == finish:
        return None
    tz = zone_of(zone)
    local = now.astimezone(tz)
    at = local.time().replace(tzinfo=None)
    inside = begin <= at < finish if begin < finish else (at >= begin or at < finish)
    if not inside:
        return None
    day = local.date() if at < finish else local.date() + timedelta(days=1)
    return datetime.combine(day, finish, tzinfo=tz).astimezone(timezone.utc)


#: Built once, from the tables: a notifying command asks it, and building the select (and its cache key)
#: was most of the statement's cost in the app; run on the connection, it skips the ORM's execution,
#: which was a quarter of the rest (py-spy, load test).
_USER, _QUIET, _PREF = User.__table__, QuietHours.__table__, NotificationPreference.__table__
_CHOICES = (select(_USER.c.id, _USER.c.timezone, _USER.c.email, _USER.c.active, _QUIET.c.enabled,
                   _QUIET.c.start, _QUIET.c.end, _PREF.c.kind, _PREF.c.channel, _PREF.c.enabled)
            .select_from(_USER.outerjoin(_QUIET, _QUIET.c.user_id == _USER.c.id)
                         .outerjoin(_PREF, _PREF.c.user_id == _USER.c.id))
            .where(_USER.c.id.in_(bindparam("ids", expanding=True))))


def choices_of(session: Session, people: Iterable[int]) -> dict[int, Choices]:
    """The choices of `people` (user ids), in one query (a notifying command pays one statement);
    unknown ids are left out. Changes this session holds are seen, as an ORM query would see them."""
    ids = sorted(set(people))
    if not ids:
        return {}
    if session.autoflush:
        session.flush()
    person: dict[int, tuple[str, str | None, bool, bool, str, str]] = {}
    changed: dict[int, dict[tuple[str, str], bool]] = {}
    for user_id, zone, email, active, q_on, q_start, q_end, kind, channel, enabled in session.connection(
            ).execute(_CHOICES, {"ids": ids}):
        person[user_id] = (zone or "UTC", email or None, bool(active), True if q_on is None else bool(q_on),
                           q_start or DEFAULT_QUIET[0], q_end or DEFAULT_QUIET[1])
        mine = changed.setdefault(user_id, {})
        if kind is not None:
            mine[(kind, channel)] = bool(enabled)
    return {user_id: Choices(user_id, zone, email, active, q_on, q_start, q_end, changed[user_id])
            for user_id, (zone, email, active, q_on, q_start, q_end) in person.items()}


def notification_preferences(session: Session, user: User) -> Choices:
    """`user`'s switches and quiet hours, defaults filled in."""
    return choices_of(session, [user.id]).get(user.id) or Choices(user.id, user.timezone or "UTC")


def save_notification_preferences(session: Session, user: User, data: Mapping[str, Any]) -> Choices:
    """Set `user`'s switches (`switches`: {kind: {channel: bool}}, any subset) and quiet hours
    (`quiet_hours`: {enabled, start, end}, any subset); the caller commits. Unknown kinds or channels
    and malformed times are refused whole (InvalidData), nothing half-saved."""
    if not isinstance(data, Mapping):
        raise InvalidData("preferences must be an object", {"body": "an object"})
    current = notification_preferences(session, user)
    switches = dict(current.changed)
    errors: dict[str, str] = {}
    given = data.get("switches", {})
    if not isinstance(given, Mapping):
        errors["switches"] = "an object of kind → {channel: true|false}"
        given = {}
    for kind, channels in given.items():
        if kind not in EVENT_KINDS or not isinstance(channels, Mapping):
            errors[f"switches.{kind}"] = "unknown event kind" if kind not in EVENT_KINDS else "an object"
            continue
        for channel, on in channels.items():
            if channel not in PERSONAL_CHANNELS or not isinstance(on, bool):
                errors[f"switches.{kind}.{channel}"] = ("unknown channel" if channel not in PERSONAL_CHANNELS
                                                        else "true or false")
                continue
            switches[(kind, channel)] = on
    quiet = data.get("quiet_hours", {})
    if not isinstance(quiet, Mapping):
        errors["quiet_hours"] = "an object with enabled, start, end"
        quiet = {}
    enabled = quiet.get("enabled", current.quiet_enabled)
    start, end = quiet.get("start", current.quiet_start), quiet.get("end", current.quiet_end)
    if not isinstance(enabled, bool):
        errors["quiet_hours.enabled"] = "true or false"
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, str) or not _HHMM.match(value):
            errors[f"quiet_hours.{name}"] = "a time HH:MM"
    if errors:
        raise InvalidData("invalid notification preferences", errors)
    session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user.id))
    session.add_all(NotificationPreference(user_id=user.id, kind=k, channel=c, enabled=on)
                    for (k, c), on in sorted(switches.items()) if on != default_on(k, c))
    hours = session.get(QuietHours, user.id)
    if hours is None:
        hours = QuietHours(user_id=user.id)
        session.add(hours)
    hours.enabled, hours.start, hours.end = enabled, start, end
    session.flush()
    return notification_preferences(session, user)


