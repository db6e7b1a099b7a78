"""API routes for a case's incidents: retry the failed step, or resolve it by hand (administrators).

The incidents themselves are listed in `GET /process-instances/<id>` (for the case's supervisors).
A retry that fails again is still an attempt: it is committed and answered 422 `model_error` with the
incident as it now stands.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _

from engine import access, runtime

from ..errors import BadRequest
from ..extensions import db, engine
from ..model_errors import model_error_response
from .auth import api_user, token_required
from .blueprint import bp
from .params import body, body_text


@bp.post("/process-instances/<int:instance_id>/incidents/<int:incident_id>/retry")
@token_required
def retry_incident(instance_id: int, incident_id: int) -> Any:
    data = body()
    latest = data.get("latest_version", False)
    if not isinstance(latest, bool):
        raise BadRequest(_("'%(name)s' must be true or false.", name="latest_version"),
                         {"latest_version": _("must be true or false")})
    corrected = data.get("data")
    if corrected is not None and not isinstance(corrected, dict):
        raise BadRequest(_("'%(name)s' must be a JSON object.", name="data"),
                         {"data": _("must be an object")})
    access.ensure_visible(db.session, api_user(), instance_id, rules=engine().supervision)
    result = runtime.retry_incident(engine(), db.session, instance_id, incident_id, api_user(),
                                     body_text(data, "reason"), latest_version=latest, data=corrected)
    db.session.commit()
    payload = {"retried": result.retried, "incident": result.incident.to_dict(),
               "instance": result.instance.to_dict()}
    if result.error is not None:
        return model_error_response(result.error, **payload)
    return jsonify(payload)


@bp.post("/process-instances/<int:instance_id>/incidents/<int:incident_id>/resolve")
@token_required
def resolve_incident(instance_id: int, incident_id: int) -> Any:
    reason = body_text(body(), "reason")
    access.ensure_visible(db.session, api_user(), instance_id, rules=engine().supervision)
    incident = runtime.resolve_incident(engine(), db.session, instance_id, incident_id, api_user(), reason)
    db.session.commit()
    return jsonify({"incident": incident.to_dict()})
