"""The modeler: a process's current version opened in bpmn-js with OpsFlow's properties panel
(webapp/static/modeler.js), and its save, which deploys the edited .bpmn as a new version.

The save goes through the same validation as an upload (`deploy_uploads`), on top of the version the
page opened only (`expected_version`): a refusal answers JSON with the message in the person's
language and the element it concerns, which the page marks on the diagram; nothing is stored.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import bpmn
from engine.errors import Conflict, DeployError, NotFound

from ..extensions import db, engine
from ..ui.denial_text import denial_text
from ..ui.deploy_text import deploy_error_text
from ..ui.names import process_name, role_name
from .blueprint import bp
from .people_forms import directory_rules, store_words


@bp.get("/models/<key>/edit")
def modeler(key: str) -> Any:
    source = bpmn.editor_source(db.session, current_user, key)
    roles = [(role, role_name(role)) for role in directory_rules().role_scopes]
    return render_template("admin/modeler.html", source=source, roles=roles, store_words=store_words(),
                           title=process_name(key, source.name))


@bp.post("/models/<key>/edit")
def modeler_save(key: str) -> Any:
    """Deploy the edited .bpmn (JSON `{"xml": ..., "version": <the version opened>}`)."""
    body = request.get_json(silent=True)
    xml = body.get("xml") if isinstance(body, dict) else None
    version = body.get("version") if isinstance(body, dict) else None
    if not isinstance(xml, str) or not xml.strip() or type(version) is not int:
        return _refusal("bad_request", _("The diagram could not be read; reload the page and try again."),
                        400)
    upload = bpmn.Upload(f"{key}.bpmn", xml.encode("utf-8"))
    try:
        [result] = bpmn.deploy_uploads(db.session, current_user, [upload], engine().clock(), key=key,
                                       roles=directory_rules().role_scopes.keys(), expected_version=version)
    except DeployError as exc:
        db.session.rollback()
        return _refusal("invalid_model", deploy_error_text(exc), 422, element=exc.element)
    except (Conflict, NotFound) as exc:
        db.session.rollback()
        return _refusal(exc.code, denial_text(exc), 409 if isinstance(exc, Conflict) else 404)
    db.session.commit()
    if result.created:
        message = _("Saved as version %(version)d: new cases start on it, running ones stay on theirs.",
                    version=result.version)
    else:
        message = _("Nothing changed: still version %(version)d.", version=result.version)
    return jsonify({"version": result.version, "created": result.created, "message": message,
                    "url": url_for("admin.model", key=key, _anchor=f"version-{result.version}"),
                    "edit_url": url_for("admin.modeler", key=key)}), 201 if result.created else 200


def _refusal(code: str, message: str, status: int, element: str | None = None) -> Any:
    return jsonify({"error": code, "message": message, "element": element}), status
