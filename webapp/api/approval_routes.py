"""API routes for 加签 / 减签: the holder of a task asks people to approve before or after them, or
takes a request back; the person asked decides (同意 / 不同意) with a comment.

An approval is a task (`kind: "approval"`): it is listed in its approver's tasks, read with
`GET /tasks/<id>`, and decided here or with `POST /tasks/<id>/complete` and `{"data": {"decision",
"comment"}}`.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from engine import access, runtime
from engine.errors import InvalidData

from ..errors import BadRequest
from ..extensions import db, engine
from .answers import committed
from .auth import api_user, token_required
from .blueprint import bp
from .params import body, body_text


@bp.post("/tasks/<int:task_id>/add-approvers")
@token_required
def add_approvers(task_id: int) -> Any:
    data = body()
    usernames = data.get("usernames")
    if not isinstance(usernames, list) or not all(isinstance(n, str) for n in usernames):
        raise BadRequest(_("'usernames' must be a list of usernames."),
                         {"usernames": _("must be a list of usernames")})
    position, reason = body_text(data, "position"), body_text(data, "reason")
    access.visible_task(db.session, api_user(), task_id, rules=engine().supervision)
    view = runtime.add_approvers(engine(), db.session, task_id, api_user(), usernames, position, reason)
    return committed(view.to_dict())


@bp.post("/tasks/<int:task_id>/remove-approver")
@token_required
def remove_approver(task_id: int) -> Any:
    data = body()
    username, reason = body_text(data, "username").strip(), body_text(data, "reason")
    access.visible_task(db.session, api_user(), task_id, rules=engine().supervision)
    view = runtime.remove_approver(engine(), db.session, task_id, api_user(), username, reason)
    return committed(view.to_dict())


@bp.post("/tasks/<int:task_id>/decide")
@token_required
def decide(task_id: int) -> Any:
    data = body()
    decision, comment = body_text(data, "decision"), body_text(data, "comment")
    if decision not in runtime.DECISIONS:
        raise InvalidData("'decision' must be approve or reject", {"decision": "must be approve or reject"})
    access.visible_task(db.session, api_user(), task_id, rules=engine().supervision)
    view = runtime.decide(engine(), db.session, task_id, api_user(), decision == runtime.APPROVE, comment)
    return committed(view.to_dict())
