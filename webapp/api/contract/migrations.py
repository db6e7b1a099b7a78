"""The routes moving running cases to another version and retiring a process (issue 16), for
administrators: `document` merges them in."""
from __future__ import annotations

from typing import Any

from engine.bpmn import CHANGED_KIND, NO_SUBPROCESS, PASSED_REMOVED, REMOVED
from engine.runtime import CONFLICT, FAILED, NOT_ON_VERSION, NOT_RUNNING

from .operations import READ, _param, op, returns
from .schemas import ID, TEXT, Schema, closed, nullable, ref

PROCESS_KEY = _param("key", "path", {"type": "string"}, "a process key")
VERSION = {"type": "integer", "minimum": 1}
ELEMENT = closed({"element_id": TEXT, "name": TEXT}, "A step of the model.")

SCHEMAS: dict[str, Schema] = {
    "MigrationRequest": {
        "type": "object", "required": ["from_version", "to_version"],
        "properties": {
            "from_version": {**VERSION, "description": "the version the cases are on"},
            "to_version": {**VERSION, "description": "the version to move them to"},
            "instance_ids": {"type": "array", "items": ID,
                             "description": "the cases to move; left out: every running case on "
                                            "from_version"},
            "mapping": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "old element id → element id of to_version of the same kind, for "
                                       "steps the target version removed or changed"},
            "dry_run": {"type": "boolean", "default": True,
                        "description": "only say what would move (the default); nothing changes"},
        },
        "description": "Which cases to move, from and to which version.",
    },
    "MigrationBlocker": closed({
        "element_id": TEXT, "name": TEXT,
        "reason": {"type": "string", "enum": [REMOVED, CHANGED_KIND, PASSED_REMOVED, NO_SUBPROCESS]},
    }, "An element that keeps the case from moving without a mapping."),
    "MigrationCase": closed({
        "instance_id": ID,
        "business_key": nullable(TEXT),
        "title": TEXT,
        "waiting": {"type": "array", "items": ELEMENT, "description": "the steps the case waits on"},
        "movable": {"type": "boolean"},
        "moved": {"type": "boolean", "description": "false on a dry run"},
        "refused": {**nullable({"type": "string", "enum": [NOT_ON_VERSION, NOT_RUNNING, CONFLICT, FAILED]}),
                    "description": "not on from_version, ended, changed by someone else meanwhile, or its "
                                   "model failed as it ran on (`reasons` says how)"},
        "blockers": {"type": "array", "items": ref("MigrationBlocker")},
        "reasons": {"type": "array", "items": TEXT, "description": "why not, in the person's language"},
    }, "One case of a migration."),
    "MigrationReport": closed({
        "process_key": TEXT, "from_version": VERSION, "to_version": VERSION, "dry_run": {"type": "boolean"},
        "mapping": {"type": "object", "additionalProperties": {"type": "string"}},
        "moved": {"type": "integer", "minimum": 0},
        "cases": {"type": "array", "items": ref("MigrationCase")},
    }, "Per case: could it move, did it (each case moved in its own transaction)."),
    "Retirement": closed({"key": TEXT, "retired": {"type": "boolean"}},
                         "Whether the process starts new cases."),
}

PATHS: dict[str, dict[str, Any]] = {
    "/processes/{key}/migrations": {"post": op(
        "process_migration", "Move running cases to another version, or check which can (administrators)",
        "Admin", returns(ref("MigrationReport"), "per case"), errors=READ + (403, 404, 422),
        parameters=[PROCESS_KEY], body="MigrationRequest", body_required=True,
        body_example={"from_version": 1, "to_version": 2, "mapping": {"fix_issue": "fix_issue_v2"},
                      "dry_run": True},
        why={403: "not an administrator", 404: "no such process",
             422: "unknown version, or a mapping to an element that does not exist or is of another kind "
                  "(`fields` names it: `to_version`, `mapping.<old id>`); nothing changed"})},
    "/processes/{key}/retire": {"post": op(
        "process_retire", "Retire a process: no new cases, running ones go on (administrators)", "Admin",
        returns(ref("Retirement"), "retired"), errors=READ + (403, 404, 409), parameters=[PROCESS_KEY],
        why={403: "not an administrator", 404: "no such process", 409: "already retired"})},
    "/processes/{key}/enable": {"post": op(
        "process_enable", "Put a retired process back in service (administrators)", "Admin",
        returns(ref("Retirement"), "in service"), errors=READ + (403, 404, 409), parameters=[PROCESS_KEY],
        why={403: "not an administrator", 404: "no such process", 409: "not retired"})},
}
