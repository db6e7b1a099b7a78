"""My notification preferences' routes and shapes (issue 12), described beside the others:
`document` merges them in."""
from __future__ import annotations

from typing import Any

from engine import delivery
from engine.models import PERSONAL_CHANNELS

from .operations import READ, op, returns
from .schemas import Schema, closed, ref

_CLOCK: Schema = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
                  "description": "a local time of day, HH:MM, in my time zone"}
_SWITCHES: Schema = {"type": "object", "additionalProperties": {"type": "boolean"},
                     "propertyNames": {"enum": list(PERSONAL_CHANNELS)},
                     "description": "channel → on (true) or off (false)"}

SCHEMAS: dict[str, Schema] = {
    "NotificationPreferences": closed({
        "channels": {"type": "array", "items": {"type": "string", "enum": list(PERSONAL_CHANNELS)},
                     "description": "the channels I choose between (group robots are set per group)"},
        "kinds": {"type": "array", "items": {"type": "string", "enum": list(delivery.EVENT_KINDS)},
                  "description": "every kind of event I may be told of"},
        "switches": {"type": "object", "additionalProperties": closed(
            {c: {"type": "boolean"} for c in PERSONAL_CHANNELS}),
            "propertyNames": {"enum": list(delivery.EVENT_KINDS)},
            "description": "for every kind, for every channel, whether I am told so"},
        "quiet_hours": closed({
            "enabled": {"type": "boolean"}, "start": _CLOCK, "end": _CLOCK,
            "timezone": {"type": "string", "description": "my time zone (set on the account page)"}},
            "Non-urgent e-mail written in these hours leaves when they end (overdue and urged do not "
            "wait; the inbox never waits)."),
    }, "Which events reach me by which channel, and my quiet hours."),
    "NotificationPreferencesChange": {
        "type": "object", "additionalProperties": False,
        "description": "Any part of my preferences: only the switches and quiet-hour fields given change.",
        "properties": {
            "switches": {"type": "object", "additionalProperties": _SWITCHES,
                         "propertyNames": {"enum": list(delivery.EVENT_KINDS)}},
            "quiet_hours": {"type": "object", "additionalProperties": False, "properties": {
                "enabled": {"type": "boolean"}, "start": _CLOCK, "end": _CLOCK}},
        }},
}

PATHS: dict[str, dict[str, Any]] = {
    "/me/notification-preferences": {
        "get": op("notification_preferences", "My notification preferences", "Inbox",
                  returns(ref("NotificationPreferences"), "every switch, defaults filled in"),
                  description="By default every event reaches the inbox and e-mail (cc: the inbox only); "
                              "quiet hours are 22:00–08:00 in my time zone."),
        "put": op("notification_preferences_update", "Change my notification preferences", "Inbox",
                  returns(ref("NotificationPreferences"), "my preferences as saved"),
                  errors=READ + (422,), body="NotificationPreferencesChange", body_required=True,
                  body_example={"switches": {"cc": {"email": True}}, "quiet_hours": {"start": "23:00"}},
                  why={422: "an unknown kind or channel, a switch not true/false, a time not HH:MM; "
                            "nothing is saved"}),
    },
}
