"""API routes of the scheduled starts (issue 14), for administrators: the list, pausing and resuming."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from engine import queries, runtime

from ..extensions import db, engine
from .auth import api_user, token_required
from .blueprint import bp


@bp.get("/admin/schedules")
@token_required
def admin_schedules() -> Any:
    return jsonify({"items": [s.to_dict() for s in queries.list_schedules(db.session, api_user())]})


@bp.post("/admin/schedules/<int:schedule_id>/pause")
@token_required
def admin_schedule_pause(schedule_id: int) -> Any:
    schedule = runtime.pause_schedule(engine(), db.session, api_user(), schedule_id)
    db.session.commit()
    return jsonify(schedule.to_dict())


@bp.post("/admin/schedules/<int:schedule_id>/resume")
@token_required
def admin_schedule_resume(schedule_id: int) -> Any:
    schedule = runtime.resume_schedule(engine(), db.session, api_user(), schedule_id)
    db.session.commit()
    return jsonify(schedule.to_dict())
