"""Scheduled starts: the list (process, rule in words, next and last run in the business time zone,
paused or not) and pausing or resuming one, each by one engine command."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import queries, runtime
from engine.errors import Conflict

from ..extensions import db, engine
from ..ui.names import process_name
from ..ui.schedule_text import rule_words, start_for_words, zone_time
from .blueprint import bp


@bp.get("/schedules")
def schedules() -> Any:
    zone = engine().zone
    rows = [{"s": s, "process": process_name(s.process_key, s.process_name), "rule": rule_words(s, zone),
             "start_for": start_for_words(s), "next_run": zone_time(s.next_run, zone),
             "last_run": zone_time(s.last_run_at, zone)}
            for s in queries.list_schedules(db.session, current_user)]
    return render_template("admin/schedules.html", rows=rows)


def _change(schedule_id: int, pause: bool) -> Any:
    command = runtime.pause_schedule if pause else runtime.resume_schedule
    try:
        command(engine(), db.session, current_user, schedule_id)
    except Conflict:
        db.session.rollback()
        flash(_("The schedule was already paused.") if pause else _("The schedule was not paused."),
              "warning")
    else:
        db.session.commit()
        flash(_("Schedule paused: it starts no cases until resumed.") if pause else
              _("Schedule resumed: it starts cases again from its next run."), "success")
    return redirect(url_for("admin.schedules"), 303)


@bp.post("/schedules/<int:schedule_id>/pause")
def pause_schedule(schedule_id: int) -> Any:
    return _change(schedule_id, True)


@bp.post("/schedules/<int:schedule_id>/resume")
def resume_schedule(schedule_id: int) -> Any:
    return _change(schedule_id, False)
