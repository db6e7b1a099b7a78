"""代理 and 离职交接's routes and shapes (issue 12), described beside the others: `document` merges
them in."""
from __future__ import annotations

from typing import Any

from engine.runtime import MAX_REASON

from .operations import READ, _param, op, returns
from .schemas import ID, TEXT, TIME, USERNAME, Schema, closed, nullable, ref

USER = _param("user_id", "path", {**ID}, "a user's id")
WHO = "the person themselves, or an administrator for anyone (403 otherwise)"

SCHEMAS: dict[str, Schema] = {
    "Away": closed({
        "username": {**USERNAME, "description": "who is away"},
        "deputy": {**USERNAME, "description": "who takes their work meanwhile (代理)"},
        "deputy_name": TEXT,
        "starts_at": {**TIME, "description": "from (inclusive)"},
        "ends_at": {**TIME, "description": "until (exclusive)"},
        "set_by": {**nullable(USERNAME), "description": "who set it"},
        "holds_now": {"type": "boolean", "description": "the period holds now"},
        "upcoming": {"type": "boolean", "description": "the period has not started yet"},
    }, "An away period with its deputy."),
    "AwayState": closed({
        "away": {"anyOf": [ref("Away"), {"type": "null"}], "description": "null: not away, nor planned"},
        "candidates": {"type": "array", "description": "who may be the deputy",
                       "items": closed({"username": USERNAME, "name": TEXT})},
    }, "My away period (if any) and who may stand in for me."),
    "AwaySetting": {
        "type": "object", "required": ["deputy", "starts_at", "ends_at"],
        "properties": {
            "deputy": {**USERNAME, "minLength": 1,
                       "description": "an active colleague holding the person's roles in their region"},
            "starts_at": {**TIME, "description": "from (inclusive); without an offset: UTC"},
            "ends_at": {**TIME, "description": "until (exclusive), in the future, at most a year on"}},
    },
    "AwayCleared": closed({"cleared": {"type": "boolean", "description": "false: there was none"}},
                          "The away period ended now."),
    "HandoverSetting": {
        "type": "object", "required": ["to", "reason"],
        "properties": {
            "to": {**USERNAME, "minLength": 1, "description": "the active colleague who gets every task"},
            "reason": {"type": "string", "minLength": 1, "maxLength": MAX_REASON,
                       "description": "why; kept in each case's history"},
            "deactivate": {"type": "boolean", "default": True, "description": "deactivate the person too"}},
    },
    "Handover": closed({
        "username": USERNAME, "to": USERNAME,
        "task_ids": {"type": "array", "items": ID, "description": "the tasks that moved"},
        "moved": {"type": "integer", "minimum": 0},
        "cases": {"type": "integer", "minimum": 0, "description": "on how many cases"},
        "deactivated": {"type": "boolean", "description": "the person is inactive now"},
    }, "What a handover (离职交接) moved."),
}

_SET = ("Set the away period and deputy (代理)", "While away, tasks that would be the person's go to the "
        "deputy, marked on whose behalf; the deputy sees and may claim the tasks the person could claim. "
        "422 names the field: `deputy` (unknown, self, missing_roles), `starts_at`, `ends_at` (past, "
        "not_after_start, too_long). Setting it again replaces it.")


def _away_ops(names: tuple[str, str, str], params: list[dict[str, Any]]) -> dict[str, Any]:
    errors = READ + ((403, 404) if params else ())
    return {
        "get": op(names[0], "The away period and who may stand in", "People",
                  returns(ref("AwayState"), "the period, if any"), errors=errors, parameters=params,
                  description=f"For {WHO}." if params else ""),
        "put": op(names[1], _SET[0], "People", returns(ref("Away"), "the period as set"),
                  errors=errors + (422,), parameters=params, body="AwaySetting", body_required=True,
                  body_example={"deputy": "manager_sh001", "starts_at": "2026-12-07T01:00:00Z",
                                "ends_at": "2026-12-14T01:00:00Z"},
                  description=_SET[1] + (f" For {WHO}." if params else "")),
        "delete": op(names[2], "End the away period now", "People", returns(ref("AwayCleared"), "ended"),
                     errors=errors, parameters=params),
    }


PATHS: dict[str, dict[str, Any]] = {
    "/me/away": _away_ops(("my_away", "set_my_away", "clear_my_away"), []),
    "/users/{user_id}/away": _away_ops(("user_away", "set_user_away", "clear_user_away"), [USER]),
    "/users/{user_id}/handover": {"post": op(
        "hand_over", "Hand every task a person holds to a colleague (离职交接)", "People",
        returns(ref("Handover"), "what moved"), errors=READ + (403, 404, 409, 422), parameters=[USER],
        body="HandoverSetting", body_required=True,
        body_example={"to": "manager_sh001", "reason": "leaves the company", "deactivate": True},
        description="Administrators only (403). Every open task the person holds goes to `to` in one "
                    "transaction, each case recording a transfer with the reason (the colleague is told); "
                    "with `deactivate` (the default) the account is deactivated too. 409 when a case "
                    "changed at the same moment: nothing moved.")},
}
