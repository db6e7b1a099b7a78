"""The scheduled starts' routes and shapes (issue 14), for administrators: `document` merges them in."""
from __future__ import annotations

from typing import Any

from .operations import READ, _param, op, returns
from .schemas import ID, TEXT, TIME, Schema, closed, nullable, ref

SCHEDULE = _param("schedule_id", "path", {**ID}, "a schedule's id")
ADMIN_ONLY = {403: "not an administrator", 404: "no such schedule"}
COUNT = {"type": "integer", "minimum": 0}

SCHEMAS: dict[str, Schema] = {
    "Schedule": closed({
        "id": ID,
        "process_key": TEXT,
        "process_name": TEXT,
        "element_id": {**TEXT, "description": "the timer start event"},
        "name": {**TEXT, "description": "the start event's name"},
        "kind": {"type": "string", "enum": ["cycle", "date"]},
        "rule": {**TEXT, "description": "the model's ISO 8601 rule: R[n]/<start>/<duration>, or a date-time"},
        "every": {"type": "object", "description": "the rule as facts: kind, cycles (-1: unbounded), start, "
                                                   "and the step by unit (months, days, hours, minutes)"},
        "start_for": {"type": "object", "description": "whom a period starts cases for: `for` one or stores, "
                                                       "with the store filters status, kind, region, and "
                                                       "`plus_one` (one more case for no store)"},
        "paused": {"type": "boolean"},
        "next_run": {**nullable(TIME), "description": "null once the rule has no period left"},
        "last_period": {**nullable(TIME), "description": "the period the schedule last fired for"},
        "last_run_at": nullable(TIME),
        "last_cases": {**COUNT, "description": "how many cases the last run started"},
    }, "A process started on a schedule (a timer start event of its latest version)."),
    "ScheduleList": closed({"items": {"type": "array", "items": ref("Schedule")}},
                           "Every schedule, by process and start event."),
}

PATHS: dict[str, dict[str, Any]] = {
    "/admin/schedules": {"get": op(
        "admin_schedules", "The scheduled starts (administrators)", "Admin",
        returns(ref("ScheduleList"), "by process"), errors=READ + (403,), why={403: "not an administrator"})},
    "/admin/schedules/{schedule_id}/pause": {"post": op(
        "admin_schedule_pause", "Pause a schedule: it starts no cases until resumed (administrators)",
        "Admin",
        returns(ref("Schedule"), "paused"), errors=READ + (403, 404, 409), parameters=[SCHEDULE],
        why={**ADMIN_ONLY, 409: "already paused"})},
    "/admin/schedules/{schedule_id}/resume": {"post": op(
        "admin_schedule_resume", "Resume a schedule from its next period (administrators)", "Admin",
        returns(ref("Schedule"), "running again; the periods it was paused over do not fire"),
        errors=READ + (403, 404, 409), parameters=[SCHEDULE], why={**ADMIN_ONLY, 409: "not paused"})},
}
