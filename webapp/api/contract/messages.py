"""The route other systems deliver messages by, and the administrators' list of service tasks'
connector calls (issue 14): `document` merges them in."""
from __future__ import annotations

from typing import Any

from engine.queries import CALL_STATUSES

from .operations import PAGING, READ, _param, op, returns
from .schemas import ID, TEXT, TIME, Schema, closed, nullable, ref

CALL_STATUS = {"type": "string", "enum": list(CALL_STATUSES),
               "description": "pending (waiting for the runner, maybe until `next_attempt_at`), done, failed "
                              "(its case stopped on an incident)"}

SCHEMAS: dict[str, Schema] = {
    "MessageInput": {
        "type": "object", "additionalProperties": False, "required": ["name", "correlation"],
        "description": "A BPMN message for the running cases that wait for it and correlate: every field of "
                       "`correlation` must equal the case's `business_key` or `store_code`, or the value of "
                       "that field in the data of the step that waits.",
        "properties": {
            "name": {**TEXT, "minLength": 1, "maxLength": 128,
                     "description": "the message's name in the model"},
            "correlation": {"type": "object", "minProperties": 1, "maxProperties": 10,
                            "additionalProperties": {"type": ["string", "integer", "boolean"]},
                            "description": "which cases: e.g. {\"business_key\": \"TF-20261203-0007\"}"},
            "payload": {"description": "any JSON (at most 64 KiB): what the step's message variable holds; "
                                       "when the catch event names a form, an object checked against it "
                                       "(422 naming `payload.<field>`), e.g. `logistics_arrival`'s "
                                       "{\"arrived_at\", \"signed_by\", \"carrier\", \"parcels\", "
                                       "\"arrival_note\"}"}}},
    "DeliveredMessage": closed({
        "id": ID,
        "business_key": nullable(TEXT),
        "status": {**TEXT, "description": "the case's status after the message (`error`: its model failed on "
                                          "it and it stopped on an incident)"},
        "incident": {**nullable(ID), "description": "the incident the case stopped on"},
    }, "A case the message reached."),
    "MessagesDelivered": closed({"delivered": {"type": "array", "items": ref("DeliveredMessage")}},
                                "Every case the message reached."),
    "ConnectorCall": closed({
        "id": ID,
        "instance_id": {**ID, "description": "the case"},
        "business_key": nullable(TEXT),
        "title": TEXT,
        "element_id": {**TEXT, "description": "the service task"},
        "connector": {**TEXT, "description": "http or mail"},
        "status": CALL_STATUS,
        "attempts": {"type": "integer", "minimum": 0},
        "next_attempt_at": {**TIME, "description": "not called before this (a retry's backoff)"},
        "last_error": nullable(TEXT),
        "created_at": TIME,
        "updated_at": TIME,
    }, "A service task's call to another system."),
    "ConnectorCallPage": closed({
        "items": {"type": "array", "items": ref("ConnectorCall")},
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
    }, "One page of connector calls, newest first."),
}

PATHS: dict[str, dict[str, Any]] = {
    "/messages": {"post": op(
        "deliver_message", "Deliver a message from another system (integration clients, administrators)",
        "Cases", returns(ref("MessagesDelivered"), "the cases that took it"),
        errors=READ + (403, 404, 422), body="MessageInput", body_required=True,
        body_example={"name": "goods_arrived", "correlation": {"business_key": "TF-20261203-0007"},
                      "payload": {"boxes": 3}},
        why={403: "not an integration client or administrator",
             404: "no running case waits for this message with this correlation",
             422: "a field is wrong (`fields` names it), or the correlation matches too many cases"})},
    "/admin/connector-calls": {"get": op(
        "admin_connector_calls", "Service tasks' calls to other systems (administrators)", "Admin",
        returns(ref("ConnectorCallPage"), "newest first"), errors=READ + (403, 422),
        parameters=[_param("status", "query", CALL_STATUS, "only calls in this state"), *PAGING],
        description="Calls waiting for their next attempt with the last error, done, or failed (the case "
                    "stopped on an incident an administrator retries from the case).",
        why={403: "not an administrator"})},
}
