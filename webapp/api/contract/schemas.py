"""The JSON shapes the API sends and takes, as JSON Schema 2020-12 (OpenAPI 3.1's dialect).

The objects the API returns are closed (`additionalProperties: false`) so that a field added to a
view without being described here makes the contract test fail; the views' dataclasses and these
properties are compared by `tests/webapp/test_openapi.py`. Request bodies stay open: the server
ignores keys it does not know.
"""
from __future__ import annotations

from typing import Any

from engine.monitoring import STATUSES

ID_MAX = 2**63 - 1  # ids are signed 64-bit integers in the database
TASK_STATES = ("open", "completed", "cancelled")

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def closed(properties: dict[str, Schema], description: str = "") -> Schema:
    """An object with exactly these properties, every one of them always present."""
    schema: Schema = {"type": "object", "properties": properties, "required": list(properties),
                      "additionalProperties": False}
    return {"description": description, **schema} if description else schema


def nullable(schema: Schema) -> Schema:
    return {**schema, "type": [schema["type"], "null"]}


def page_of(item: str, description: str) -> Schema:
    return closed({
        "items": {"type": "array", "items": ref(item)},
        "total": {"type": "integer", "minimum": 0, "description": "matching items on all pages"},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
    }, description)


ID: Schema = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
TEXT: Schema = {"type": "string"}
TIME: Schema = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset"}
FREE: Schema = {"type": "object", "description": "any JSON object"}
USERNAME: Schema = {"type": "string", "description": "a username"}

TASK = {
    "id": ID,
    "name": {**TEXT, "description": "the step's name in the model (Chinese)"},
    "element_id": {**TEXT, "description": "the BPMN id of the user task"},
    "process_key": TEXT,
    "instance_id": ID,
    "role": {**nullable(TEXT), "description": "the lane's role key: who may do the step"},
    "store_code": nullable(TEXT),
    "assignee": {**nullable(USERNAME), "description": "who holds the task; null while it is claimable"},
    "state": {"type": "string", "enum": list(TASK_STATES)},
    "created_at": TIME,
    "due_at": nullable(TIME),
    "priority": {"type": "integer", "description": "1 is the most urgent"},
    "business_key": {**nullable(TEXT), "description": "the case number people quote: CP-20260301-00042"},
    "title": {**nullable(TEXT), "description": "the case's title"},
    "claimed_at": nullable(TIME),
    "completed_at": nullable(TIME),
    "completed_by": nullable(USERNAME),
}

INSTANCE = {
    "id": ID,
    "process_key": TEXT,
    "version": {"type": "integer", "minimum": 1, "description": "the process version the case runs on"},
    "status": {"type": "string", "enum": list(STATUSES)},
    "outcome": {**nullable(TEXT), "description": "how the case ended for its requester (named by the model)"},
    "business_key": nullable(TEXT),
    "title": TEXT,
    "store_code": nullable(TEXT),
    "started_by": nullable(USERNAME),
    "started_at": TIME,
    "ended_at": nullable(TIME),
    "open_tasks": {"type": "array", "items": ref("Task"),
                   "description": "the steps the case waits on"},
    "last_error": {**nullable(TEXT), "description": "why the case stopped with status `error`"},
}

EVENT = {
    "id": ID,
    "event_type": {**TEXT, "description": "started, step, task_created, task_claimed, task_completed, "
                                          "comment, outcome, completed, terminated, ..."},
    "at": TIME,
    "actor": {**nullable(USERNAME), "description": "null for what the engine did by itself"},
    "element_id": nullable(TEXT),
    "message": TEXT,
    "data": {"type": ["object", "null"], "description": "what the event changed"},
    "task_id": nullable(ID),
}

COMMENT = {
    "id": ID,
    "author": USERNAME,
    "body": TEXT,
    "created_at": TIME,
}

PROCESS = {
    "key": {**TEXT, "description": "the process key: the BPMN process id, stable across versions"},
    "name": TEXT,
    "version": {"type": "integer", "minimum": 1, "description": "the version a start would use"},
}

SCHEMAS: dict[str, Schema] = {
    "Error": closed({
        "error": {**TEXT, "description": "a stable code: bad_request, unauthorized, forbidden, not_found, "
                                         "conflict, concurrent_update, invalid_data, too_many_requests, ..."},
        "message": {**TEXT, "description": "for people; short"},
        "fields": {"type": "object", "additionalProperties": TEXT,
                   "description": "field path → what is wrong with it (`_body`, `_form` for the whole)"},
    }, "Every refusal has this shape."),
    "Task": closed(TASK, "A step of a case that a person does."),
    "TaskDetail": closed({
        **TASK,
        "form": {"type": ["object", "null"], "description": "the step's form as JSON Schema"},
        "case": {**FREE, "description": "the data the form starts from: the case so far"},
        "history": {"type": "array", "items": ref("Event")},
        "may_act": {"type": "boolean", "description": "whether I may complete the step now"},
        "draft": {"type": ["object", "null"], "description": "the values saved but not yet submitted"},
    }, "A task with its form, the case data and the case's history."),
    "TaskPage": page_of("Task", "One page of tasks."),
    "Instance": closed(INSTANCE, "A case: one run of a process."),
    "InstanceDetail": closed({
        **INSTANCE,
        "data": {**FREE, "description": "the case data so far"},
        "events": {"type": "array", "items": ref("Event")},
        "comments": {"type": "array", "items": ref("Comment")},
        "may_supervise": {"type": "boolean", "description": "whether I may terminate, suspend, resume"},
    }, "A case with its data, history and comments."),
    "InstancePage": page_of("Instance", "One page of cases."),
    "Event": closed(EVENT, "One entry of a case's history."),
    "Comment": closed(COMMENT),
    "Process": closed(PROCESS, "A process I may start."),
    "ProcessPage": page_of("Process", "Every process I may start, on one page."),
    "StartableProcess": closed({
        **PROCESS,
        "start_form": {"type": "object", "description": "the JSON Schema (2020-12) that the `data` of a "
                                                        "start must meet; `{\"type\": \"object\"}` when the "
                                                        "model declares no start form"},
    }, "A process I may start, with its start form."),
    "Login": {
        "type": "object", "required": ["username", "password"],
        "properties": {"username": {"type": "string", "minLength": 1},
                       "password": {"type": "string", "minLength": 1}},
    },
    "Token": closed({
        "token": {**TEXT, "description": "send it as `Authorization: Bearer <token>`"},
        "token_type": {"const": "Bearer"},
        "expires_in": {"type": "integer", "minimum": 0, "description": "seconds"},
        "user": closed({
            "username": USERNAME,
            "display_name": TEXT,
            "roles": {"type": "array", "items": TEXT, "description": "role keys, sorted"},
        }),
    }),
    "FormData": {
        "type": "object",
        "properties": {"data": {"type": ["object", "null"],
                                "description": "the form's values: an object valid against the form's JSON "
                                               "Schema; read-only and unknown fields are ignored"}},
    },
    "Assign": {
        "type": "object", "required": ["user"],
        "properties": {"user": {**USERNAME, "minLength": 1, "description": "who gets the task"},
                       "reason": {"type": ["string", "null"]}},
    },
    "NewComment": {
        "type": "object", "required": ["body"],
        "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 4000,
                                "description": "not only spaces"}},
    },
    "Reason": {
        "type": "object", "required": ["reason"],
        "properties": {"reason": {"type": "string", "minLength": 1,
                                  "description": "why; not only spaces; told in the case's history"}},
    },
}
