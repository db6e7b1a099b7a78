"""API routes for the everyday moves on a case besides working its steps: the starter's 撤回
(withdraw), 抄送 (cc) by hand and the list of cases cc'd to me, and 催办 (urge) a waiting step."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _

from engine import access, queries, runtime

from ..errors import BadRequest
from ..extensions import db, engine
from .auth import api_user, token_required
from .blueprint import bp
from .params import body, body_text, flag, integer


@bp.post("/process-instances/<int:instance_id>/withdraw")
@token_required
def withdraw(instance_id: int) -> Any:
    reason = body_text(body(), "reason")
    access.ensure_visible(db.session, api_user(), instance_id, rules=engine().supervision)
    view = runtime.withdraw(engine(), db.session, instance_id, api_user(), reason)
    db.session.commit()
    return jsonify(view.to_dict())


@bp.post("/process-instances/<int:instance_id>/cc")
@token_required
def cc(instance_id: int) -> Any:
    data = body()
    usernames, note = data.get("usernames"), body_text(data, "note")
    if usernames is not None and not (isinstance(usernames, list)
                                      and all(isinstance(u, str) for u in usernames)):
        raise BadRequest(_("'usernames' must be a list of usernames."),
                         {"usernames": _("must be a list of usernames")})
    names = runtime.cc_case(engine(), db.session, instance_id, api_user(), usernames, note)
    db.session.commit()
    return jsonify({"instance_id": instance_id, "cc": names}), 201


@bp.get("/cc")
@token_required
def cc_list() -> Any:
    page = queries.cc_list(db.session, api_user(), unread_only=bool(flag("unread")),
                           page=integer("page", 1), per_page=integer("per_page", 20))
    return jsonify({"items": [e.to_dict() for e in page.items], "total": page.total, "page": page.page,
                    "per_page": page.per_page,
                    "unread": queries.cc_unread(db.session, api_user())})


@bp.post("/tasks/<int:task_id>/urge")
@token_required
def urge(task_id: int) -> Any:
    note = body_text(body(), "note")
    access.visible_task(db.session, api_user(), task_id, rules=engine().supervision)
    told = runtime.urge(engine(), db.session, task_id, api_user(), note)
    db.session.commit()
    return jsonify({"task_id": task_id, "told": told})
