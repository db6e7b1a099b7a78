"""The route other systems deliver messages by (issue 14): `document` merges it in."""
from __future__ import annotations

from typing import Any

from .operations import READ, op, returns
from .schemas import ID, TEXT, Schema, closed, nullable, ref

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
            "payload": {"description": "any JSON (at most 64 KiB): what the step's message variable holds"}}},
    "DeliveredMessage": closed({
        "id": ID,
        "business_key": nullable(TEXT),
        "status": {**TEXT, "description": "the case's status after the message (`error`: its model failed on "
                                          "it and it stopped on an incident)"},
        "incident": {**nullable(ID), "description": "the incident the case stopped on"},
    }, "A case the message reached."),
    "MessagesDelivered": closed({"delivered": {"type": "array", "items": ref("DeliveredMessage")}},
                                "Every case the message reached."),
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
}
