"""API route for 退回: the holder of a task sends its case back to an earlier step, with a reason."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from engine import access, runtime
from engine.errors import InvalidData

from ..extensions import db, engine
from .auth import api_user, token_required
from .blueprint import bp
from .params import body, body_text


@bp.post("/tasks/<int:task_id>/send-back")
@token_required
def send_back(task_id: int) -> Any:
    data = body()
    to, reason = body_text(data, "to").strip(), body_text(data, "reason")
    access.visible_task(db.session, api_user(), task_id, rules=engine().supervision)
    if not to:
        raise InvalidData("'to' (the element id of an earlier step) is required", {"to": "required"})
    case = runtime.send_back(engine(), db.session, task_id, api_user(), to, reason)
    db.session.commit()
    return jsonify(case.to_dict())
