"""The group robots' routes and shapes (issue 12), for administrators: `document` merges them in."""
from __future__ import annotations

from typing import Any

from engine.delivery import ROBOT_EVENTS, SCOPES
from engine.models import ROBOT_KINDS

from .operations import READ, _param, op, returns
from .schemas import ID, TEXT, TIME, Schema, closed, nullable, ref

ROBOT = _param("robot_id", "path", {**ID}, "a robot's id")
KIND = {"type": "string", "enum": list(ROBOT_KINDS), "description": "企业微信, 钉钉 or 飞书"}
SCOPE = {"type": "string", "enum": list(SCOPES),
         "description": "center: every store; region or store: the one `scope_value` names"}
EVENTS = {"type": "array", "items": {"type": "string", "enum": list(ROBOT_EVENTS)}, "uniqueItems": True,
          "description": "what the group hears: new tasks, overdue tasks, urged tasks, case outcomes"}
ADMIN_ONLY = {403: "not an administrator"}

SCHEMAS: dict[str, Schema] = {
    "Robot": closed({
        "id": ID,
        "name": TEXT,
        "kind": KIND,
        "scope": SCOPE,
        "scope_value": {**nullable(TEXT), "description": "the store code or region; null for the center"},
        "url": {**TEXT, "description": "the robot's webhook address"},
        "has_secret": {"type": "boolean", "description": "a signing secret is stored (it is never shown)"},
        "events": EVENTS,
        "active": {"type": "boolean"},
        "created_at": TIME,
    }, "A group chat's robot."),
    "RobotList": closed({"items": {"type": "array", "items": ref("Robot")}}, "Every robot."),
    "RobotInput": {
        "type": "object", "additionalProperties": False, "required": ["name", "kind", "scope", "url"],
        "description": "A robot as an administrator sets it; on a change every field is given again, "
                       "but an empty or missing `secret` keeps the stored one.",
        "properties": {
            "name": {**TEXT, "maxLength": 128}, "kind": KIND, "scope": SCOPE,
            "scope_value": {**nullable(TEXT), "description": "a store code or a region"},
            "url": {**TEXT, "maxLength": 1024}, "secret": {**nullable(TEXT), "maxLength": 255},
            "clear_secret": {"type": "boolean", "description": "remove the stored secret (changes only)"},
            "events": EVENTS, "active": {"type": "boolean", "default": True}}},
    "RobotDeleted": closed({"id": ID, "deleted": {"type": "boolean", "const": True}}, "The robot is gone."),
    "RobotTest": closed({"ok": {"type": "boolean"},
                         "error": {**nullable(TEXT), "description": "what the robot or the network said"}},
                        "What became of the test message."),
}

PATHS: dict[str, dict[str, Any]] = {
    "/admin/robots": {
        "get": op("admin_robots", "The group robots (administrators)", "Admin",
                  returns(ref("RobotList"), "by scope and name"), errors=READ + (403,), why=ADMIN_ONLY),
        "post": op("admin_robot_create", "Add a group robot (administrators)", "Admin",
                   returns(ref("Robot"), "the robot, without its secret"), status=201,
                   errors=READ + (403, 422), body="RobotInput", body_required=True,
                   why={**ADMIN_ONLY, 422: "a field is wrong: an unknown store or region, not an http(s) "
                                           "address, an unknown event"})},
    "/admin/robots/{robot_id}": {
        "get": op("admin_robot", "One group robot (administrators)", "Admin",
                  returns(ref("Robot"), "the robot"), errors=READ + (403, 404), parameters=[ROBOT],
                  why=ADMIN_ONLY),
        "put": op("admin_robot_update", "Change a group robot (administrators)", "Admin",
                  returns(ref("Robot"), "the robot as it is now"), errors=READ + (403, 404, 422),
                  parameters=[ROBOT], body="RobotInput", body_required=True, why=ADMIN_ONLY),
        "delete": op("admin_robot_delete", "Delete a group robot and its unsent messages (administrators)",
                     "Admin", returns(ref("RobotDeleted"), "deleted"), errors=READ + (403, 404),
                     parameters=[ROBOT], why=ADMIN_ONLY)},
    "/admin/robots/{robot_id}/test": {"post": op(
        "admin_robot_test", "Send a test message to a robot now (administrators)", "Admin",
        returns(ref("RobotTest"), "sent, or the robot's answer"), errors=READ + (403, 404, 429),
        parameters=[ROBOT], why=ADMIN_ONLY,
        description="The test counts in the robot's rate window like every notification (DingTalk and WeCom "
                    "take 20 messages a minute): a full window is refused with 429 and Retry-After, nothing "
                    "sent.")},
}
