"""API routes for other systems: deliver a BPMN message to the waiting cases it correlates with; and,
for administrators, the service tasks' calls to other systems (`/admin/connector-calls`)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from engine import queries, runtime

from ..extensions import db, engine
from .auth import api_user, token_required
from .blueprint import bp
from .params import body, integer, text


@bp.post("/messages")
@token_required
def deliver_message() -> Any:
    data = body()
    delivered = runtime.receive_message(engine(), db.session, api_user(), data.get("name"),
                                        data.get("correlation"), data.get("payload"))
    db.session.commit()
    return jsonify({"delivered": [d.to_dict() for d in delivered]})


@bp.get("/admin/connector-calls")
@token_required
def admin_connector_calls() -> Any:
    page = queries.connector_calls(db.session, api_user(), status=text("status"), page=integer("page", 1),
                                   per_page=integer("per_page", 20))
    return jsonify({"items": [e.to_dict() for e in page.items], "total": page.total, "page": page.page,
                    "per_page": page.per_page})
