"""API routes of the administrators' delivery log (issue 12): the outbox newest first, resending a
failed message."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from engine import delivery, queries

from ..extensions import db, engine
from .auth import api_user, token_required
from .blueprint import bp
from .params import integer, text


@bp.get("/admin/deliveries")
@token_required
def admin_deliveries() -> Any:
    page = queries.delivery_log(db.session, api_user(), status=text("status"), channel=text("channel"),
                                page=integer("page", 1), per_page=integer("per_page", 20))
    return jsonify({"items": [e.to_dict() for e in page.items], "total": page.total, "page": page.page,
                    "per_page": page.per_page})


@bp.post("/admin/deliveries/<int:outbox_id>/resend")
@token_required
def admin_delivery_resend(outbox_id: int) -> Any:
    row = delivery.resend(db.session, api_user(), outbox_id, engine().clock())
    db.session.commit()
    return jsonify({"id": row.id, "status": row.status, "attempts": row.attempts,
                    "available_at": row.available_at.isoformat()})
