"""API routes: each parses the request, calls one engine function, commits, returns JSON.

Shapes (DESIGN.md section 5): lists are `{"items", "total", "page", "per_page"}`; a task is
`TaskView.to_dict()`, an instance `CaseView.to_dict()`; errors come from `webapp.errors`.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, url_for
from flask_babel import gettext as _

from engine import access, queries, runtime
from engine.attachments import link_pending
from engine.directory import issue_token
from engine.errors import InvalidData
from engine.views import Page

from ..errors import BadRequest, Unauthorized
from ..extensions import db, engine
from ..login_throttle import attempt_login, too_many_attempts
from .answers import committed
from .attachment_routes import named_attachments, names_files
from .auth import api_user, token_required
from .blueprint import bp
from .params import body, body_object, body_text, flag, integer, moment, optional_integer, text


def _page(page: Page[Any]) -> dict[str, Any]:
    return {"items": [item.to_dict() for item in page.items], "total": page.total, "page": page.page,
            "per_page": page.per_page}


# -- login -----------------------------------------------------------------------------------------

@bp.post("/login")
def login() -> Any:
    data = body()
    username, password = data.get("username"), data.get("password")
    missing = {k: _("required") for k, v in (("username", username), ("password", password))
               if not isinstance(v, str) or not v}
    if missing:
        raise BadRequest(_("Username and password are required."), missing)
    outcome = attempt_login(username, password)
    if outcome.retry_after:
        return too_many_attempts(outcome.retry_after)
    user = outcome.user
    if user is None:
        raise Unauthorized(_("Wrong username or password."))
    hours = current_app.config["API_TOKEN_HOURS"]
    token = issue_token(db.session, user, engine().clock(), hours)
    return committed({"token": token, "token_type": "Bearer", "expires_in": int(hours * 3600),
                      "user": {"username": user.username, "display_name": user.display_name,
                               "roles": sorted(access.role_keys(user))}})


# -- processes -------------------------------------------------------------------------------------

@bp.get("/processes")
@token_required
def processes() -> Any:
    items = queries.startable_processes(engine(), db.session, api_user())
    return jsonify(_page(Page(items, len(items), 1, max(len(items), 1))))


@bp.get("/processes/<key>")
@token_required
def process(key: str) -> Any:
    return jsonify(queries.startable_process(engine(), db.session, api_user(), key).to_dict())


@bp.post("/processes/<key>/instances")
@token_required
def start(key: str) -> Any:
    data = body_object("data")
    pending = named_attachments(data, None)
    view = engine().start(db.session, key, api_user(), data)
    link_pending(db.session, api_user(), pending, view.id, engine().clock())
    return committed(view.to_dict(), 201, {"Location": url_for("api.instance", instance_id=view.id)})


# -- tasks -----------------------------------------------------------------------------------------

@bp.get("/tasks")
@token_required
def tasks() -> Any:
    f = queries.TaskFilter(scope=text("scope", "todo"), process=text("process"), store_code=text("store"),
                           overdue=flag("overdue"), search=text("q"), sort=text("sort", "due"),
                           page=integer("page", 1), per_page=integer("per_page", 20))
    return jsonify(_page(queries.list_tasks(db.session, api_user(), f, engine().clock())))


@bp.get("/tasks/<int:task_id>")
@token_required
def task(task_id: int) -> Any:
    detail = queries.task_detail(engine(), db.session, api_user(), task_id)
    return jsonify({**detail.task.to_dict(), "form": detail.form, "case": detail.case,
                    "history": [e.to_dict() for e in detail.history], "may_act": detail.may_act,
                    "draft": detail.draft, "actions": list(detail.actions),
                    "send_back_targets": [t.to_dict() for t in detail.send_back_targets],
                    "notice": detail.notice,
                    "approvals": [a.to_dict() for a in detail.approvals],
                    "holder": detail.holder.to_dict() if detail.holder else None,
                    "decision": _decision(detail)})


def _decision(detail: queries.TaskDetail) -> dict[str, Any] | None:
    offer = queries.decision_offer(detail.form) if detail.may_act else None
    return offer.to_dict() if offer else None


@bp.post("/tasks/<int:task_id>/claim")
@token_required
def claim(task_id: int) -> Any:
    access.visible_task(db.session, api_user(), task_id, rules=engine().supervision, now=engine().clock())
    return committed(engine().claim(db.session, task_id, api_user()).to_dict())


@bp.post("/tasks/<int:task_id>/unclaim")
@token_required
def unclaim(task_id: int) -> Any:
    access.visible_task(db.session, api_user(), task_id, rules=engine().supervision)
    return committed(engine().unclaim(db.session, task_id, api_user()).to_dict())


@bp.post("/tasks/<int:task_id>/assign")
@token_required
def assign(task_id: int) -> Any:
    data = body()
    assignee, reason = body_text(data, "user").strip(), body_text(data, "reason")
    access.visible_task(db.session, api_user(), task_id, rules=engine().supervision)
    if not assignee:
        raise InvalidData("'user' (a username) is required", {"user": "required"})
    return committed(engine().assign(db.session, task_id, api_user(), assignee, reason).to_dict())


@bp.post("/tasks/<int:task_id>/transfer")
@token_required
def transfer(task_id: int) -> Any:
    data = body()
    to, reason = body_text(data, "to").strip(), body_text(data, "reason")
    access.visible_task(db.session, api_user(), task_id, rules=engine().supervision)
    if not to:
        raise InvalidData("'to' (a username) is required", {"to": "required"})
    return committed(runtime.transfer(engine(), db.session, task_id, api_user(), to, reason).to_dict())


@bp.post("/tasks/<int:task_id>/complete")
@token_required
def complete(task_id: int) -> Any:
    data = body_object("data")
    # the request's Session itself, not the scoped proxy that looks it up on each of the command's
    # few dozen calls (about 0.1 ms of a complete)
    session = db.session()
    if not names_files(data):  # the common case: the engine reads the task once, checking who sees it
        view = engine().complete(session, task_id, api_user(), data, unseen_as_unknown=True)
        return committed(view.to_dict())
    task = access.visible_task(session, api_user(), task_id, rules=engine().supervision)
    pending = named_attachments(data, task.instance_id)
    view = engine().complete(session, task_id, api_user(), data)
    link_pending(session, api_user(), pending, task.instance_id, engine().clock())
    return committed(view.to_dict())


# -- process instances -----------------------------------------------------------------------------

@bp.get("/process-instances")
@token_required
def instances() -> Any:
    f = queries.CaseFilter(
        process=text("process"), version=optional_integer("version"), status=text("status"),
        store_code=text("store"), region=text("region"), started_by=text("started_by"),
        started_from=moment("started_from"), started_to=moment("started_to"),
        ended_from=moment("ended_from"), ended_to=moment("ended_to"), overdue=flag("overdue"),
        search=text("q"), sort=text("sort", "newest"), page=integer("page", 1),
        per_page=integer("per_page", 20), has_incident=flag("has_incident"))
    return jsonify(_page(queries.list_case_views(db.session, api_user(), f, engine().clock(),
                                                 rules=engine().supervision)))


@bp.get("/process-instances/<int:instance_id>")
@token_required
def instance(instance_id: int) -> Any:
    detail = queries.case_detail(engine(), db.session, api_user(), instance_id)
    if runtime.mark_cc_read(db.session, api_user(), instance_id, engine().clock()):
        db.session.commit()  # reading a case cc'd to me marks it read
    return jsonify({**detail.instance.to_dict(), "data": detail.data,
                    "events": [e.to_dict() for e in detail.events], "comments": detail.comments,
                    "may_supervise": detail.may_supervise,
                    "incidents": [i.to_dict() for i in detail.incidents]})


@bp.post("/process-instances/<int:instance_id>/comments")
@token_required
def comment(instance_id: int) -> Any:
    text_ = body_text(body(), "body")
    created = runtime.add_comment(db.session, api_user(), instance_id, text_, engine().clock(),
                                  rules=engine().supervision)
    return committed(created, 201)


def _case_action(instance_id: int, action: str) -> Any:
    reason = body_text(body(), "reason")
    access.ensure_visible(db.session, api_user(), instance_id, rules=engine().supervision)
    view = getattr(engine(), action)(db.session, instance_id, api_user(), reason)
    return committed(view.to_dict())


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
