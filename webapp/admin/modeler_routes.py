"""The modeler: a process's working set (its draft, else its current version) opened in bpmn-js with
OpsFlow's properties panel (webapp/static/modeler.js), and its save, which puts the edited .bpmn into
the process's draft.

The save validates the whole working set as an upload is validated (`draft_routes.save`), on top of
the version the page opened only: a refusal answers JSON with the message in the person's language
and the element it concerns, which the page marks on the diagram; nothing is stored. Saved, the
answer carries the draft's panel, which the page puts in place.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import bpmn
from engine.errors import Conflict, DeployError, NotFound

from ..extensions import db
from ..ui.denial_text import denial_text
from ..ui.deploy_text import deploy_error_text
from ..ui.names import process_name, role_name
from .blueprint import bp
from .draft_routes import conflict_text, draft_panel, save, saved_text
from .people_forms import directory_rules, store_words


@bp.get("/models/<key>/edit")
def modeler(key: str) -> Any:
    source = bpmn.editor_source(db.session, current_user, key)
    roles = [(role, role_name(role)) for role in directory_rules().role_scopes]
    return render_template("admin/modeler.html", source=source, roles=roles, store_words=store_words(),
                           title=process_name(key, source.name))


@bp.post("/models/<key>/edit")
def modeler_save(key: str) -> Any:
    """Save the edited .bpmn into the process's draft (JSON `{"xml": ..., "version": <the version
    opened>, "revision": <the file's revision opened>}`): the whole working set is validated, no version
    is made; a file changed in the draft since it was opened is a 409."""
    body = request.get_json(silent=True)
    xml = body.get("xml") if isinstance(body, dict) else None
    version = body.get("version") if isinstance(body, dict) else None
    revision = body.get("revision") if isinstance(body, dict) else None
    if not isinstance(xml, str) or not xml.strip() or type(version) is not int or not isinstance(
            revision, str):
        return _refusal("bad_request", _("The diagram could not be read; reload the page and try again."),
                        400)
    try:
        draft = save(key, [bpmn.Upload(f"{key}.bpmn", xml.encode("utf-8"))], version,
                     {f"{key}.bpmn": revision})
    except DeployError as exc:
        db.session.rollback()
        return _refusal("invalid_model", deploy_error_text(exc), 422, element=exc.element)
    except Conflict as exc:
        db.session.rollback()
        return _refusal("conflict", conflict_text(key, version, exc), 409)
    except NotFound as exc:
        db.session.rollback()
        return _refusal(exc.code, denial_text(exc), 404)
    db.session.commit()
    return jsonify({"draft": True, "base": draft.base, "message": saved_text(key),
                    "revision": bpmn.working_set(db.session, current_user, key).revision(f"{key}.bpmn"),
                    "url": url_for("admin.model", key=key), "panel": draft_panel(key, draft)}), 200


def _refusal(code: str, message: str, status: int, element: str | None = None) -> Any:
    return jsonify({"error": code, "message": message, "element": element}), status
