"""Retrying and resolving a case's incidents from the case page (administrators), and the words
the incident panel uses. Each route calls one engine command and commits once."""
from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from engine import access, runtime
from engine.errors import Conflict, InvalidData, NotFound
from engine.runtime import CONNECTOR, MESSAGE, RESOLVED, RETRIED, TERMINATED
from engine.views import IncidentView

from ..extensions import db, engine
from ..model_errors import model_error_text
from .blueprint import bp

STATUS_NAMES = {"open": _l("Unresolved"), "resolved": _l("Resolved")}
JOB_NAMES = {MESSAGE: _l("Delivering a message"), "timer": _l("A timer firing"),
             CONNECTOR: _l("Calling another system (a service task)")}
RESOLUTION_NAMES = {RETRIED: _l("Retried successfully"), RESOLVED: _l("Resolved by hand"),
                    TERMINATED: _l("Case terminated")}


@bp.app_template_global()
def incident_status_name(incident: IncidentView) -> str:
    return str(STATUS_NAMES.get(incident.status, incident.status))


@bp.app_template_global()
def incident_job_name(job: str) -> str:
    return str(JOB_NAMES.get(job, job))


@bp.app_template_global()
def incident_resolution_name(resolution: str | None) -> str:
    return str(RESOLUTION_NAMES.get(resolution or "", resolution or "—"))


def _back(case_id: int) -> Any:
    return redirect(url_for("cases.detail", case_id=case_id) + "#incidents", 303)


def _corrected_data(text: str) -> dict[str, Any] | None:
    """The optional JSON object of corrected values; InvalidData if it is not one."""
    if not text.strip():
        return None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise InvalidData("the corrected data is not valid JSON", {"data": "invalid JSON"}) from None
    if not isinstance(value, dict):
        raise InvalidData("the corrected data must be an object", {"data": "must be an object"})
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _refused(exc: InvalidData | Conflict | NotFound) -> str:
    if isinstance(exc, NotFound):
        return _("Not done: the incident no longer exists.")
    if isinstance(exc, Conflict):
        return _("Not done: the incident was already settled, or the case changed meanwhile. "
                 "Reload and check.")
    if "reason" in exc.fields:
        return (_("Give a reason: it is kept in the case's history.") if exc.fields["reason"] == "required"
                else _("The reason is too long (at most 2000 characters)."))
    return _("The corrected data must be a JSON object of plain values with field names, at most 64 KB.")


@bp.post("/cases/<int:case_id>/incidents/<int:incident_id>/retry")
@login_required
def retry_incident(case_id: int, incident_id: int) -> Any:
    access.ensure_visible(db.session, current_user, case_id, rules=engine().supervision)
    try:
        result = runtime.retry_incident(
            engine(), db.session, case_id, incident_id, current_user, request.form.get("reason"),
            latest_version=request.form.get("latest_version") == "yes",
            data=_corrected_data(request.form.get("data", "")))
    except (InvalidData, Conflict, NotFound) as exc:
        db.session.rollback()
        flash(_refused(exc), "danger")
        return _back(case_id)
    db.session.commit()
    if result.retried:
        flash(_("The step ran again and went through; the case is running."), "success")
    else:
        flash(model_error_text(result.error) + " " + _("The attempt is counted; the case stays stopped."),
              "danger")
    return _back(case_id)


@bp.post("/cases/<int:case_id>/incidents/<int:incident_id>/resolve")
@login_required
def resolve_incident(case_id: int, incident_id: int) -> Any:
    access.ensure_visible(db.session, current_user, case_id, rules=engine().supervision)
    try:
        runtime.resolve_incident(engine(), db.session, case_id, incident_id, current_user,
                                 request.form.get("reason"))
    except (InvalidData, Conflict, NotFound) as exc:
        db.session.rollback()
        flash(_refused(exc), "danger")
        return _back(case_id)
    db.session.commit()
    flash(_("Incident resolved. The case is suspended: its supervisors resume or terminate it."), "success")
    return _back(case_id)
