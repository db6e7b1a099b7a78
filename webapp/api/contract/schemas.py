"""The JSON shapes the API sends and takes, as JSON Schema 2020-12 (OpenAPI 3.1's dialect).

The objects the API returns are closed (`additionalProperties: false`) so that a field added to a
view without being described here makes the contract test fail; the views' dataclasses and these
properties are compared by `tests/webapp/test_openapi.py`. Request bodies stay open: the server
ignores keys it does not know.
"""
from __future__ import annotations

from typing import Any

from engine.errors import CaseDataTooLarge, ProcessError
from engine.models import INCIDENT_OPEN, INCIDENT_RESOLVED
from engine.queries import STATUSES
from engine.runtime import (
    CONNECTOR,
    DECISIONS,
    MAX_APPROVERS,
    MAX_FIX_BYTES,
    MAX_FIX_FIELDS,
    MAX_NOTE,
    MAX_REASON,
    MAX_TRANSFER_REASON,
    MESSAGE,
    POSITIONS,
    RESOLVED,
    RETRIED,
    TERMINATED,
    TIMER,
)

from ...record_ids import MAX_INT as ID_MAX  # what the URL converter lets through: a larger id is a 404

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
INCIDENT_REASON: Schema = {"type": "string", "minLength": 1, "maxLength": MAX_REASON,
                           "description": "why; not only spaces; told in the case's history"}

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
    "kind": {"type": "string", "enum": ["step", "approval"],
             "description": "step: a user task of the model; approval: one the holder of `parent_id` asked "
                            "for (加签), decided with `POST /tasks/{id}/decide`"},
    "parent_id": {**nullable(ID), "description": "an approval's step (the holder's task)"},
    "position": {"type": ["string", "null"], "enum": [*POSITIONS, None],
                 "description": "an approval's place: before the holder decides, or after the holder "
                                "completes"},
    "waiting_on": {"type": ["string", "null"], "enum": ["before", "approval", None],
                   "description": "a step's wait on approvals: before (the holder cannot complete yet), "
                                  "approval (completed by the holder, held until the approvers after agree)"},
    "decision": {"type": ["string", "null"], "enum": [*DECISIONS, None], "description": "同意/不同意"},
    "comment": {**nullable(TEXT), "description": "the approver's comment"},
    "claimable": {"type": "boolean", "description": "open and held by nobody: anyone with the role in "
                                                    "scope may take it (completing it takes it)"},
    "on_behalf_of": {**nullable(USERNAME), "description": "代理: the away person the assignee stands in for"},
}

APPROVAL = {
    "username": USERNAME,
    "position": {"type": "string", "enum": list(POSITIONS)},
    "state": {"type": "string", "enum": ["pending", *TASK_STATES],
              "description": "pending: named to approve after the holder, asked when the holder completes"},
    "task_id": {**nullable(ID), "description": "the approval's task; null while pending"},
    "decision": {"type": ["string", "null"], "enum": [*DECISIONS, None]},
    "comment": nullable(TEXT),
    "decided_at": nullable(TIME),
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
                                          "comment, outcome, completed, terminated, withdrawn, case_cc, "
                                          "task_urged, ..."},
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

INCIDENT = {
    "id": ID,
    "instance_id": ID,
    "status": {"type": "string", "enum": [INCIDENT_OPEN, INCIDENT_RESOLVED],
               "description": "open: the case is stopped on it (status `error`)"},
    "job": {"type": "string", "enum": [TIMER, MESSAGE, CONNECTOR],
            "description": "the background step that failed (a service task's connector call: `connector`)"},
    "element_id": {**nullable(TEXT), "description": "the BPMN id of the element that failed"},
    "element_name": {**TEXT, "description": "its name in the model; empty when it has none"},
    "error_type": {**TEXT, "description": "the kind of error, e.g. ZeroDivisionError, CaseDataTooLarge"},
    "message": {**TEXT, "description": "why it failed (the newest attempt's error)"},
    "occurred_at": TIME,
    "failed_at": {**TIME, "description": "when the newest attempt failed"},
    "attempts": {"type": "integer", "minimum": 1},
    "resolved_at": nullable(TIME),
    "resolved_by": {**nullable(USERNAME), "description": "the administrator who settled it"},
    "resolution": {"type": ["string", "null"], "enum": [RETRIED, RESOLVED, TERMINATED, None],
                   "description": "retried: the step ran again and went through; resolved: settled by hand "
                                  "(the case was handed back suspended); terminated: the case was ended"},
    "reason": {**nullable(TEXT), "description": "the reason given when it was settled"},
}

PROCESS = {
    "key": {**TEXT, "description": "the process key: the BPMN process id, stable across versions"},
    "name": TEXT,
    "version": {"type": "integer", "minimum": 1, "description": "the version a start would use"},
}

MODEL_ERRORS = (ProcessError.code, CaseDataTooLarge.code)
ERROR_BODY: Schema = {
    "description": "Every refusal has this shape: `error`, `message` and `fields` always; `element` too "
                   "when a step of the model failed (`model_error`, `case_data_too_large`); `filename`, "
                   "`element`, `line`, `reason` and `params` when a model upload was refused "
                   "(`invalid_model`); and when an "
                   "incident's retry failed again, `retried` (false), `incident` and `instance` as well.",
    "type": "object",
    "properties": {
        "error": {**TEXT, "description": "a stable code: bad_request, unauthorized, forbidden, not_found, "
                                         "conflict, concurrent_update, incident_open, invalid_data, "
                                         "model_error, case_data_too_large, request_entity_too_large, "
                                         "too_many_requests, too_soon, service_unavailable, ..."},
        "message": {**TEXT, "description": "for people; short"},
        "fields": {"type": "object", "additionalProperties": TEXT,
                   "description": "field path → what is wrong with it (`_body`, `_form` for the whole)"},
        "element": {**nullable(TEXT), "description": "the BPMN id of the step that failed; null when the "
                                                     "model as a whole did"},
        "filename": {**nullable(TEXT), "description": "a refused model upload (`invalid_model`): the file "
                                                      "it concerns"},
        "line": {"type": ["integer", "null"], "description": "a refused model upload: the line, when known"},
        "reason": {**nullable(TEXT), "description": "a refused model upload: the stable code of the refusal "
                                                    "(`due_hours_invalid`, `lane_not_role`, ...)"},
        "params": {"type": "object", "additionalProperties": TEXT,
                   "description": "a refused model upload: the values its message quotes"},
        "retried": {"const": False, "description": "a retry that failed again: the attempt is kept"},
        "incident": {**ref("Incident"), "description": "the incident as it now stands: one attempt more"},
        "instance": {**ref("Instance"), "description": "the case, still stopped"},
    },
    "required": ["error", "message", "fields"],
    "additionalProperties": False,
    "dependentRequired": {"retried": ["element", "incident", "instance"], "incident": ["retried"],
                          "instance": ["retried"]},
    "allOf": [{"if": {"properties": {"error": {"enum": list(MODEL_ERRORS)}}},
               "then": {"required": ["element"]}},
              {"if": {"properties": {"error": {"const": "invalid_model"}}},
               "then": {"required": ["filename", "element", "reason", "params"]}}],
}

SCHEMAS: dict[str, Schema] = {
    "Error": ERROR_BODY,
    "Task": closed(TASK, "A step of a case that a person does."),
    "Approval": closed(APPROVAL, "One person asked to approve a step (加签)."),
    "TaskPage": page_of("Task", "One page of tasks."),
    "Instance": closed(INSTANCE, "A case: one run of a process."),
    "InstanceDetail": closed({
        **INSTANCE,
        "data": {**FREE, "description": "the case data so far"},
        "events": {"type": "array", "items": ref("Event")},
        "comments": {"type": "array", "items": ref("Comment")},
        "may_supervise": {"type": "boolean", "description": "whether I may terminate, suspend, resume"},
        "incidents": {"type": "array", "items": ref("Incident"),
                      "description": "the case's incidents, open ones first, newest first; shown to those "
                                     "who supervise the case only (always empty when `may_supervise` is "
                                     "false)"},
    }, "A case with its data, history and comments.") | {
        "if": {"properties": {"may_supervise": {"const": False}}},
        "then": {"properties": {"incidents": {"maxItems": 0}}},
    },
    "InstancePage": page_of("Instance", "One page of cases."),
    "Event": closed(EVENT, "One entry of a case's history."),
    "Comment": closed(COMMENT),
    "Incident": closed(INCIDENT, "A background step of a case (a timer, a message) that failed, and how it "
                                 "was settled."),
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
    "Transfer": {
        "type": "object", "required": ["to", "reason"],
        "properties": {"to": {**USERNAME, "minLength": 1, "description": "the colleague who gets the task"},
                       "reason": {"type": "string", "minLength": 1, "maxLength": MAX_TRANSFER_REASON,
                                  "description": "why; not only spaces; kept in the case's history"}},
    },
    "AddApprovers": {
        "type": "object", "required": ["usernames", "position", "reason"],
        "properties": {
            "usernames": {"type": "array", "items": USERNAME, "minItems": 1, "maxItems": MAX_APPROVERS,
                          "description": "active people other than the holder, not asked on this step yet"},
            "position": {"type": "string", "enum": list(POSITIONS),
                         "description": "before: they decide now and the task waits; after: they are asked "
                                        "when the holder completes, and the completion waits for them"},
            "reason": {"type": "string", "minLength": 1, "maxLength": MAX_NOTE,
                       "description": "why; told in the case's history"}},
    },
    "RemoveApprover": {
        "type": "object", "required": ["username"],
        "properties": {"username": {**USERNAME, "description": "one asked whose decision is still open"},
                       "reason": {"type": ["string", "null"], "maxLength": MAX_NOTE}},
    },
    "Decision": {
        "type": "object", "required": ["decision"],
        "properties": {"decision": {"type": "string", "enum": list(DECISIONS),
                                    "description": "approve (同意) or reject (不同意)"},
                       "comment": {"type": ["string", "null"], "maxLength": MAX_NOTE,
                                   "description": "审批意见; required for reject: the holder gets it back"}},
    },
    "NewComment": {
        "type": "object", "required": ["body"],
        "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 4000,
                                "description": "not only spaces"}},
    },
    "SendBack": {
        "type": "object", "required": ["to", "reason"],
        "properties": {"to": {**TEXT, "minLength": 1,
                              "description": "the `element_id` of one of the task's `send_back_targets`"},
                       "reason": {"type": "string", "minLength": 1,
                                  "description": "why; not only spaces; shown on top of the reopened task"}},
    },
    "Reason": {
        "type": "object", "required": ["reason"],
        "properties": {"reason": {"type": "string", "minLength": 1,
                                  "description": "why; not only spaces; told in the case's history"}},
    },
    "Resolve": {
        "type": "object", "required": ["reason"],
        "properties": {"reason": INCIDENT_REASON},
    },
    "Retry": {
        "type": "object", "required": ["reason"],
        "properties": {
            "reason": INCIDENT_REASON,
            "latest_version": {"type": "boolean", "default": False,
                               "description": "move the case to the process's newest version first (the "
                                              "model was fixed by a new deployment); 409 if that version "
                                              "lacks a step the case has been through"},
            "data": {"type": ["object", "null"], "maxProperties": MAX_FIX_FIELDS,
                     "description": f"top-level case fields to correct before the step runs again: at "
                                    f"most {MAX_FIX_FIELDS}, named like identifiers not starting with `_`, "
                                    f"at most {MAX_FIX_BYTES} bytes as JSON"},
        },
    },
    "Retried": closed({
        "retried": {"const": True},
        "incident": {**ref("Incident"), "description": "settled: `resolution` is `retried`"},
        "instance": {**ref("Instance"), "description": "the case, running again"},
    }, "The failed step ran again and went through."),
    "Resolved": closed({"incident": {**ref("Incident"),
                                     "description": "settled: `resolution` is `resolved`"}},
                       "The incident is settled by hand; the case is suspended for its supervisors."),
}

SCHEMAS.update({
    "Cc": {
        "type": "object", "required": ["usernames"],
        "properties": {"usernames": {"type": "array", "items": USERNAME, "minItems": 1, "maxItems": 20,
                                     "description": "the colleagues to cc"},
                       "note": {"type": ["string", "null"], "maxLength": 2000,
                                "description": "why they should look; shown in their cc list"}},
    },
    "CcDone": closed({"instance_id": ID, "cc": {"type": "array", "items": USERNAME}},
                     "The people cc'd on the case by this request."),
    "CcEntry": closed({
        "instance": ref("Instance"),
        "by": {**nullable(USERNAME), "description": "who cc'd me; null when a step of the model did"},
        "step": {**nullable(TEXT), "description": "the BPMN id of the model step that cc'd me"},
        "note": TEXT,
        "cc_at": TIME,
        "read_at": {**nullable(TIME), "description": "when I last opened the case since the cc"},
        "unread": {"type": "boolean"},
    }, "A case cc'd to me."),
    "CcPage": closed({
        "items": {"type": "array", "items": ref("CcEntry")},
        "total": {"type": "integer", "minimum": 0, "description": "matching items on all pages"},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "unread": {"type": "integer", "minimum": 0,
                   "description": "cases cc'd to me I have not opened since"},
    }, "One page of the cases cc'd to me."),
    "Urge": {
        "type": "object",
        "properties": {"note": {"type": ["string", "null"], "maxLength": 2000,
                                "description": "what to tell them; may be left out"}},
    },
    "Urged": closed({"task_id": ID, "told": {"type": "array", "items": USERNAME,
                                             "description": "the holder, or everyone who may take the step"}},
                    "The step was urged."),
})
