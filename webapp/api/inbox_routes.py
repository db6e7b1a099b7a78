"""API routes of the in-app inbox (issue 12): my notifications, marking one or all of them read."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from engine import queries, runtime

from ..extensions import db, engine
from .auth import api_user, token_required
from .blueprint import bp
from .params import flag, integer


@bp.get("/notifications")
@token_required
def notifications() -> Any:
    page = queries.inbox(db.session, api_user(), unread_only=bool(flag("unread")),
                         page=integer("page", 1), per_page=integer("per_page", 20))
    return jsonify({"items": [e.to_dict() for e in page.items], "total": page.total, "page": page.page,
                    "per_page": page.per_page, "unread": queries.unread_count(db.session, api_user())})


@bp.post("/notifications/<int:notification_id>/read")
@token_required
def notification_read(notification_id: int) -> Any:
    runtime.mark_read(db.session, api_user(), notification_id, engine().clock())
    db.session.commit()
    return jsonify(queries.inbox_entry(db.session, api_user(), notification_id).to_dict())


@bp.post("/notifications/read-all")
@token_required
def notifications_read_all() -> Any:
    marked = runtime.mark_all_read(db.session, api_user(), engine().clock())
    db.session.commit()
    return jsonify({"marked": marked, "unread": queries.unread_count(db.session, api_user())})
