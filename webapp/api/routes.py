"""API routes: each parses the request, calls one engine function, commits, returns JSON."""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from engine import queries
from engine.accounts import authenticate, issue_token
from engine.views import Page

from . import bp
from .. import engine
from ..errors import BadRequest, Unauthorized
from ..extensions import db
from .auth import api_user, token_required
from .params import body, body_object, flag, integer, text


def _page(page: Page[Any]) -> dict[str, Any]:
    return {"items": [item.to_dict() for item in page.items], "total": page.total, "page": page.page,
            "per_page": page.per_page}


def _done(payload: Any, status: int = 200) -> Any:
    db.session.commit()
    return jsonify(payload), status


@bp.post("/login")
def login() -> Any:
    data = body()
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise BadRequest("username and password are required",
                         {k: "required" for k in ("username", "password") if not isinstance(data.get(k), str)
                          or not data.get(k)})
    user = authenticate(db.session, username, password)
    if user is None:
        raise Unauthorized("wrong username or password")
    hours = current_app.config["API_TOKEN_HOURS"]
    token = issue_token(db.session, user, engine().clock(), hours)
    return _done({"token": token, "token_type": "Bearer", "expires_in": int(hours * 3600),
                  "user": {"username": user.username, "display_name": user.display_name,
                           "roles": sorted({r.role for r in user.roles})}})


@bp.get("/processes")
@token_required
def processes() -> Any:
    items = engine_catalogue_list()
    return jsonify({"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)})


def engine_catalogue_list() -> list[dict[str, Any]]:
    from engine.models import ProcessDefinition
    from sqlalchemy import select
    rows = db.session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key)).all()
    user = api_user()
    return [{"key": d.key, "name": d.name, "version": d.latest_version} for d in rows
            if engine().may_start(db.session, user, d.key)]


@bp.post("/processes/<key>/instances")
@token_required
def start(key: str) -> Any:
    data = body_object("data")
    view = engine().start(db.session, key, api_user(), data)
    return _done(view.to_dict(), 201)


@bp.get("/tasks")
@token_required
def tasks() -> Any:
    f = queries.TaskFilter(scope=text("scope", "all"), process=text("process"), store_code=text("store"),
                           overdue=flag("overdue"), search=text("q"), sort=text("sort", "due"),
                           page=integer("page", 1), per_page=integer("per_page", 20))
    return jsonify(_page(queries.list_tasks(db.session, api_user(), f, engine().clock())))


@bp.get("/tasks/<int:task_id>")
@token_required
def task(task_id: int) -> Any:
    detail = queries.task_detail(engine(), db.session, api_user(), task_id)
    return jsonify({**detail.task.to_dict(), "form": detail.form, "case": detail.case,
                    "history": [e.to_dict() for e in detail.history], "may_act": detail.may_act})


@bp.post("/tasks/<int:task_id>/claim")
@token_required
def claim(task_id: int) -> Any:
    queries.visible_task(db.session, api_user(), task_id)
    return _done(engine().claim(db.session, task_id, api_user()).to_dict())


@bp.post("/tasks/<int:task_id>/unclaim")
@token_required
def unclaim(task_id: int) -> Any:
    queries.visible_task(db.session, api_user(), task_id)
    return _done(engine().unclaim(db.session, task_id, api_user()).to_dict())


@bp.post("/tasks/<int:task_id>/assign")
@token_required
def assign(task_id: int) -> Any:
    data = body()
    assignee = data.get("user")
    if not isinstance(assignee, str) or not assignee:
        raise BadRequest("'user' (a username) is required", {"user": "required"})
    queries.visible_task(db.session, api_user(), task_id)
    view = engine().assign(db.session, task_id, api_user(), assignee, str(data.get("reason") or ""))
    return _done(view.to_dict())


@bp.post("/tasks/<int:task_id>/complete")
@token_required
def complete(task_id: int) -> Any:
    data = body_object("data")
    queries.visible_task(db.session, api_user(), task_id)
    return _done(engine().complete(db.session, task_id, api_user(), data).to_dict())


@bp.get("/process-instances")
@token_required
def instances() -> Any:
    f = queries.InstanceFilter(process=text("process"), status=text("status"), store_code=text("store"),
                               page=integer("page", 1), per_page=integer("per_page", 20))
    return jsonify(_page(queries.list_instances(db.session, api_user(), f)))


@bp.get("/process-instances/<int:instance_id>")
@token_required
def instance(instance_id: int) -> Any:
    detail = queries.instance_detail(engine(), db.session, api_user(), instance_id)
    return jsonify({**detail.instance.to_dict(), "data": detail.data,
                    "events": [e.to_dict() for e in detail.events], "comments": detail.comments})


@bp.post("/process-instances/<int:instance_id>/comments")
@token_required
def comment(instance_id: int) -> Any:
    data = body()
    created = queries.add_comment(db.session, api_user(), instance_id, data.get("body") if isinstance(
        data.get("body"), str) else "", engine().clock())
    return _done(created, 201)


def _case_action(instance_id: int, action: str) -> Any:
    data = body()
    reason = data.get("reason") if isinstance(data.get("reason"), str) else ""
    queries.ensure_visible(db.session, api_user(), instance_id)
    view = getattr(engine(), action)(db.session, instance_id, api_user(), reason)
    return _done(view.to_dict())


@bp.post("/process-instances/<int:instance_id>/terminate")
@token_required
def terminate(instance_id: int) -> Any:
    return _case_action(instance_id, "terminate")


@bp.post("/process-instances/<int:instance_id>/suspend")
@token_required
def suspend(instance_id: int) -> Any:
    return _case_action(instance_id, "suspend")


@bp.post("/process-instances/<int:instance_id>/resume")
@token_required
def resume(instance_id: int) -> Any:
    return _case_action(instance_id, "resume")
