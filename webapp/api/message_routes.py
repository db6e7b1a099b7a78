"""API route for other systems: deliver a BPMN message to the waiting cases it correlates with."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from engine import runtime

from ..extensions import db, engine
from .auth import api_user, token_required
from .blueprint import bp
from .params import body


@bp.post("/messages")
@token_required
def deliver_message() -> Any:
    data = body()
    delivered = runtime.receive_message(engine(), db.session, api_user(), data.get("name"),
                                        data.get("correlation"), data.get("payload"))
    db.session.commit()
    return jsonify({"delivered": [d.to_dict() for d in delivered]})
