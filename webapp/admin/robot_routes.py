"""Group robots (企业微信 / 钉钉 / 飞书): list, add, edit, deactivate, delete, send a test message.

Each view parses the form, calls one function of `engine.delivery` (which checks the admin rule
again and validates), commits and redirects (303); a refused form comes back with the reason beside
each field (422). The secret is never put in a page: the form says whether one is stored and an
empty field keeps it.
"""
from __future__ import annotations

from typing import Any, Mapping

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from engine import delivery, directory
from engine.errors import InvalidData, TooSoon

from ..extensions import db, engine
from ..notices import robot_test_transport
from ..ui.robot_text import KIND_NAMES, rate_limited_text
from .blueprint import bp

SCOPE_NAMES = {"center": _l("Operations center"), "region": _l("Region"), "store": _l("Store")}
EVENT_NAMES = {"task_created": _l("New tasks"), "task_overdue": _l("Overdue tasks"),
               "task_urged": _l("Urged tasks"),
               "case_ended": _l("Case outcomes (finished, rejected, withdrawn, terminated)")}
ROBOT_LABELS = {"name": _l("Name"), "kind": _l("Robot"), "scope": _l("Scope"),
                "scope_value": _l("Store or region"), "url": _l("Webhook address"), "secret": _l("Secret"),
                "events": _l("Events"), "active": _l("Active")}
_REASONS = {"required": _l("Required."), "too_long": _l("Too long."),
            "invalid": _l("Not in the expected format."), "unknown": _l("Choose one of the listed values.")}
_SPECIFIC = {("scope_value", "unknown"): _l("There is no store or region with this code."),
             ("scope_value", "required"): _l("A store's or region's robot needs its code."),
             ("url", "invalid"): _l("The webhook address the robot gave, starting with https://.")}


def _errors(fields: Mapping[str, str]) -> dict[str, str]:
    return {f: str(_SPECIFIC.get((f, r)) or _REASONS.get(r, r)) for f, r in fields.items()}


def _words() -> dict[str, Any]:
    return {"kind_names": KIND_NAMES, "scope_names": SCOPE_NAMES, "event_names": EVENT_NAMES,
            "kinds": ("wecom", "dingtalk", "feishu"), "scopes": delivery.SCOPES,
            "events": delivery.ROBOT_EVENTS}


def _posted(form: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": form.get("name", ""), "kind": form.get("kind", ""), "scope": form.get("scope", ""),
            "scope_value": form.get("scope_value", ""), "url": form.get("url", ""),
            "secret": form.get("secret", ""), "events": request.form.getlist("events"),
            "active": form.get("active") == "1"}


def _form(robot: delivery.RobotRow | None, form: Mapping[str, Any], fields: Mapping[str, str] | None = None,
          status: int = 200) -> Any:
    errors = _errors(fields or {})
    choices = directory.scope_choices(db.session, current_user)
    problems = [(k, str(ROBOT_LABELS.get(k, k)), v) for k, v in errors.items()]
    return render_template("admin/robot_form.html", robot=robot, form={**form, "secret": ""}, errors=errors,
                           problems=problems, choices=choices, **_words()), status


@bp.get("/robots")
def robots() -> Any:
    rows = delivery.list_robots(db.session, current_user)
    return render_template("admin/robots.html", robots=rows, **_words())


@bp.route("/robots/new", methods=["GET", "POST"])
def new_robot() -> Any:
    if request.method == "GET":
        return _form(None, {"kind": "wecom", "scope": "store", "events": list(delivery.SCOPED_DEFAULT),
                            "active": True})
    values = _posted(request.form)
    try:
        row = delivery.save_robot(db.session, current_user, None, now=engine().clock(), **values)
    except InvalidData as exc:
        db.session.rollback()
        return _form(None, values, exc.fields, 422)
    db.session.commit()
    flash(_("Robot %(name)s added.", name=row.name), "success")
    return redirect(url_for("admin.edit_robot", robot_id=row.id), 303)


def _shown(robot: delivery.RobotRow) -> dict[str, Any]:
    return {"name": robot.name, "kind": robot.kind, "scope": robot.scope,
            "scope_value": robot.scope_value or "", "url": robot.url, "events": list(robot.events),
            "active": robot.active}


@bp.route("/robots/<int:robot_id>", methods=["GET", "POST"])
def edit_robot(robot_id: int) -> Any:
    robot = delivery.get_robot(db.session, current_user, robot_id)
    if request.method == "GET":
        return _form(robot, _shown(robot))
    values = _posted(request.form)
    try:
        row = delivery.save_robot(db.session, current_user, robot_id, now=engine().clock(),
                                  clear_secret=request.form.get("clear_secret") == "1", **values)
    except InvalidData as exc:
        db.session.rollback()
        return _form(robot, values, exc.fields, 422)
    db.session.commit()
    flash(_("Robot %(name)s saved.", name=row.name), "success")
    return redirect(url_for("admin.edit_robot", robot_id=row.id), 303)


@bp.post("/robots/<int:robot_id>/active")
def robot_active(robot_id: int) -> Any:
    active = request.form.get("active") == "1"
    row = delivery.set_robot_active(db.session, current_user, robot_id, active, engine().clock())
    db.session.commit()
    flash(_("Robot %(name)s is active again.", name=row.name) if active
          else _("Robot %(name)s deactivated: it gets no more messages.", name=row.name), "success")
    return redirect(url_for("admin.edit_robot", robot_id=row.id), 303)


@bp.post("/robots/<int:robot_id>/delete")
def delete_robot(robot_id: int) -> Any:
    row = delivery.get_robot(db.session, current_user, robot_id)
    delivery.delete_robot(db.session, current_user, robot_id, engine().clock())
    db.session.commit()
    flash(_("Robot %(name)s deleted.", name=row.name), "success")
    return redirect(url_for("admin.robots"), 303)


@bp.post("/robots/<int:robot_id>/test")
def test_robot(robot_id: int) -> Any:
    """The test goes through the robot's shared rate window: refused, not queued, when it is full
    (see `delivery.send_test_message` for why)."""
    robot = delivery.get_robot(db.session, current_user, robot_id)
    heard = ", ".join(str(EVENT_NAMES[e]) for e in robot.events) or _("nothing yet")
    transport = robot_test_transport(current_app.config, engine().clock, db.engine)
    try:
        outcome = delivery.send_test_message(
            db.session, current_user, robot_id, transport, title=_("OpsFlow test message"),
            lines=[_("This group will hear from OpsFlow: %(events)s.", events=heard),
                   _("Sent by %(name)s from the admin pages.", name=current_user.username)],
            link_url=url_for("admin.edit_robot", robot_id=robot_id, _external=True),
            link_text=_("Open OpsFlow"), now=engine().clock())
    except TooSoon as exc:
        flash(rate_limited_text(robot, exc.retry_after, current_app.config), "danger")
        return redirect(url_for("admin.edit_robot", robot_id=robot_id), 303)
    if outcome.ok:
        flash(_("Test message sent to %(name)s.", name=robot.name), "success")
    else:
        flash(_("The robot did not take the test message: %(error)s", error=outcome.error), "danger")
    return redirect(url_for("admin.edit_robot", robot_id=robot_id), 303)
