"""The away (代理) form the account page and the admin user page share: its times read in the
viewer's time zone, and the engine's field codes put into words."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from flask_babel import gettext as _

from .local_days import user_zone


def local_moment(value: str) -> datetime | None:
    """A `datetime-local` value (2026-12-03T09:00) in the viewer's zone, as UTC; None if unreadable."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=user_zone())
    return moment.astimezone(timezone.utc)


def local_input(moment: datetime | None) -> str:
    """A moment as a `datetime-local` value in the viewer's zone."""
    return moment.astimezone(user_zone()).strftime("%Y-%m-%dT%H:%M") if moment else ""


def away_values(form: Mapping[str, str]) -> dict[str, Any]:
    return {"deputy": form.get("deputy", ""), "starts_at": local_moment(form.get("starts_at", "")),
            "ends_at": local_moment(form.get("ends_at", ""))}


def away_messages(fields: Mapping[str, str]) -> dict[str, str]:
    """Each refused field's code in the viewer's words."""
    words = {"required": _("Required."), "unknown": _("No active user by this name."),
             "self": _("Choose someone else."),
             "missing_roles": _("The deputy must hold your roles in your region."),
             "not_after_start": _("The end must be after the start."),
             "past": _("The end must be in the future."),
             "too_long": _("At most a year at a time.")}
    return {field: words.get(code, code) for field, code in fields.items()}
