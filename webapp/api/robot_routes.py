"""API routes of the group robots (issue 12), for administrators: list, add, change, delete, send a
test message. The secret goes in and never comes out (`has_secret` says whether one is stored)."""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from flask_babel import gettext as _

from engine import delivery
from engine.errors import TooSoon

from ..errors import BadRequest, error_response
from ..extensions import db, engine
from ..notices import robot_test_transport
from ..ui.robot_text import rate_limited_text
from .auth import api_user, token_required
from .blueprint import bp
from .params import body, body_text


def _shown(row: delivery.RobotRow) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kind": row.kind, "scope": row.scope,
            "scope_value": row.scope_value, "url": row.url, "has_secret": row.has_secret,
            "events": list(row.events), "active": row.active, "created_at": row.created_at.isoformat()}


def _fields() -> dict[str, Any]:
    data = body()
    events, active, clear = data.get("events", []), data.get("active", True), data.get("clear_secret", False)
    if not (isinstance(events, list) and all(isinstance(e, str) for e in events)):
        raise BadRequest("'events' must be a list of event names", {"events": "must be a list of strings"})
    for key, value in (("active", active), ("clear_secret", clear)):
        if not isinstance(value, bool):
            raise BadRequest(f"'{key}' must be true or false", {key: "must be a boolean"})
    return {"name": body_text(data, "name"), "kind": body_text(data, "kind"),
            "scope": body_text(data, "scope"), "scope_value": body_text(data, "scope_value"),
            "url": body_text(data, "url"),
            "secret": body_text(data, "secret"), "events": events, "active": active, "clear_secret": clear}


@bp.get("/admin/robots")
@token_required
def admin_robots() -> Any:
    return jsonify({"items": [_shown(r) for r in delivery.list_robots(db.session, api_user())]})


@bp.post("/admin/robots")
@token_required
def admin_robot_create() -> Any:
    fields = _fields()
    fields.pop("clear_secret")
    row = delivery.save_robot(db.session, api_user(), None, now=engine().clock(), **fields)
    db.session.commit()
    return jsonify(_shown(row)), 201


@bp.get("/admin/robots/<int:robot_id>")
@token_required
def admin_robot(robot_id: int) -> Any:
    return jsonify(_shown(delivery.get_robot(db.session, api_user(), robot_id)))


@bp.put("/admin/robots/<int:robot_id>")
@token_required
def admin_robot_update(robot_id: int) -> Any:
    row = delivery.save_robot(db.session, api_user(), robot_id, now=engine().clock(), **_fields())
    db.session.commit()
    return jsonify(_shown(row))


@bp.delete("/admin/robots/<int:robot_id>")
@token_required
def admin_robot_delete(robot_id: int) -> Any:
    delivery.delete_robot(db.session, api_user(), robot_id, engine().clock())
    db.session.commit()
    return jsonify({"id": robot_id, "deleted": True})


@bp.post("/admin/robots/<int:robot_id>/test")
@token_required
def admin_robot_test(robot_id: int) -> Any:
    """Within the robot's shared rate window, like the admin page: a full window is a 429 with
    Retry-After, nothing posted."""
    transport = robot_test_transport(current_app.config, engine().clock, db.engine)
    line = _("Sent by %(name)s from the admin pages.", name=api_user().username)
    try:
        outcome = delivery.send_test_message(db.session, api_user(), robot_id, transport,
                                             title=_("OpsFlow test message"), lines=[line], link_url=None,
                                             link_text=_("Open OpsFlow"), now=engine().clock())
    except TooSoon as exc:
        robot = delivery.get_robot(db.session, api_user(), robot_id)
        text = rate_limited_text(robot, exc.retry_after, current_app.config)
        response, status = error_response(exc.code, text, 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response, status
    return jsonify({"ok": outcome.ok, "error": outcome.error})
