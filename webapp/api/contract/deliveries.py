"""The delivery log's routes and shapes (issue 12), for administrators: `document` merges them in."""
from __future__ import annotations

from typing import Any

from engine.queries import DELIVERY_CHANNELS, DELIVERY_STATUSES

from .operations import PAGING, READ, _param, op, returns
from .schemas import ID, TEXT, TIME, USERNAME, Schema, closed, nullable, ref

OUTBOX = _param("outbox_id", "path", {**ID}, "an outbox message's id")
STATUS = {"type": "string", "enum": list(DELIVERY_STATUSES),
          "description": "pending (waiting, maybe until `available_at`), sending (taken by a worker), sent, "
                         "failed (after the last attempt or a permanent refusal)"}
CHANNEL = {"type": "string", "enum": list(DELIVERY_CHANNELS)}

SCHEMAS: dict[str, Schema] = {
    "Delivery": closed({
        "id": ID,
        "channel": CHANNEL,
        "kind": {**TEXT, "description": "what the message is about (a notification kind, digest, ...)"},
        "status": STATUS,
        "attempts": {"type": "integer", "minimum": 0},
        "recipient": {**nullable(USERNAME), "description": "the person (e-mail); null for a robot"},
        "email": {**nullable(TEXT), "description": "the person's address as it is now"},
        "robot": {**nullable(TEXT), "description": "the robot's name (robot channels)"},
        "instance_id": {**nullable(ID), "description": "the case"},
        "title": {**TEXT, "description": "the case's title when it was queued"},
        "business_key": nullable(TEXT),
        "last_error": {**nullable(TEXT), "description": "the last failure, as the server or robot said it"},
        "created_at": TIME,
        "available_at": {**TIME, "description": "not sent before this (a retry's backoff, quiet hours)"},
        "sent_at": nullable(TIME),
    }, "One message of the outbox."),
    "DeliveryPage": closed({
        "items": {"type": "array", "items": ref("Delivery")},
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
    }, "One page of the delivery log, newest first."),
    "Resent": closed({"id": ID, "status": STATUS, "attempts": {"type": "integer", "minimum": 0},
                      "available_at": TIME}, "The message, queued again."),
}

PATHS: dict[str, dict[str, Any]] = {
    "/admin/deliveries": {"get": op(
        "admin_deliveries", "The delivery log (administrators)", "Admin",
        returns(ref("DeliveryPage"), "newest first"), errors=READ + (403, 422), parameters=[
            _param("status", "query", STATUS, "only messages in this state"),
            _param("channel", "query", CHANNEL, "only messages of this channel"), *PAGING],
        description="E-mails and robot messages: waiting, sent and failed, each failure with its error.",
        why={403: "not an administrator"})},
    "/admin/deliveries/{outbox_id}/resend": {"post": op(
        "admin_delivery_resend", "Send a failed message again (administrators)", "Admin",
        returns(ref("Resent"), "queued again, due now, its attempts reset"),
        errors=READ + (403, 404, 409), parameters=[OUTBOX],
        why={403: "not an administrator", 404: "no such message", 409: "the message has not failed"})},
}
