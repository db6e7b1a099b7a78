"""The in-app inbox's routes and shapes (issue 12), described beside the others: `document` merges
them in."""
from __future__ import annotations

from typing import Any

from engine.runtime import NOTIFICATION_KINDS

from .operations import PAGING, READ, _param, op, returns
from .schemas import ID, TEXT, TIME, USERNAME, Schema, closed, nullable, ref

NOTIFICATION = _param("notification_id", "path", {**ID}, "a notification's id")

SCHEMAS: dict[str, Schema] = {
    "Notification": closed({
        "id": ID,
        "kind": {"type": "string", "enum": list(NOTIFICATION_KINDS),
                 "description": "what happened: a step became mine (assigned, transferred, sent_back, "
                                "approver) or claimable by me (claimable: `message` is how many, the "
                                "step the first; several link to no step), due_soon, overdue, urged, cc, "
                                "mentioned (`message` the comment), my case's outcome or its end "
                                "(finished, withdrawn, terminated), the daily digest (digest: `message` "
                                "is \"open/overdue\" counts)"},
        "instance_id": {**nullable(ID), "description": "the case"},
        "task_id": {**nullable(ID), "description": "the step it links to; null: it links to the case"},
        "actor": {**nullable(USERNAME), "description": "who did it; null when the process did"},
        "title": {**TEXT, "description": "the case's title when it was sent"},
        "business_key": {**nullable(TEXT), "description": "the case's number"},
        "step": {**nullable(TEXT), "description": "the step's name when it was sent"},
        "message": {**TEXT, "description": "the reason, note or outcome given"},
        "created_at": TIME,
        "read_at": nullable(TIME),
        "unread": {"type": "boolean"},
    }, "Something I was told."),
    "NotificationPage": closed({
        "items": {"type": "array", "items": ref("Notification")},
        "total": {"type": "integer", "minimum": 0, "description": "matching items on all pages"},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "unread": {"type": "integer", "minimum": 0, "description": "all my unread notifications"},
    }, "One page of my notifications, newest first."),
    "AllRead": closed({"marked": {"type": "integer", "minimum": 0, "description": "how many were unread"},
                       "unread": {"type": "integer", "minimum": 0}}, "Every notification of mine is read."),
}

PATHS: dict[str, dict[str, Any]] = {
    "/notifications": {"get": op(
        "notifications", "My notifications (the inbox)", "Inbox",
        returns(ref("NotificationPage"), "newest first"),
        errors=READ + (422,), parameters=[
            _param("unread", "query", {"type": "boolean"}, "true: only the ones I have not read"), *PAGING],
        description="What I was told: a step became mine, I was urged or cc'd, my case ended. Each names "
                    "the case and, while there is one, the step to open.")},
    "/notifications/{notification_id}/read": {"post": op(
        "notification_read", "Mark one notification read", "Inbox", returns(ref("Notification"), "it, read"),
        errors=READ + (404,), parameters=[NOTIFICATION],
        why={404: "no notification of mine has this id"})},
    "/notifications/read-all": {"post": op(
        "notifications_read_all", "Mark all my notifications read", "Inbox",
        returns(ref("AllRead"), "none unread now"))},
}
