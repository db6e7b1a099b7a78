"""API routes of a process's versions (issue 16), for administrators: the list, deploying new files as a
version, and what changed between two versions.

A refused deploy is a 422 naming the file and the BPMN element (`filename`, `element`), in the
reader's language, and stores nothing; files that change nothing answer 200 with the version they
already are, a new version 201.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _

from engine import bpmn, queries
from engine.errors import DeployError
from workflows.roles import ROLES

from ..errors import error_response
from ..extensions import db, engine
from ..record_ids import record_id
from ..ui.deploy_text import deploy_error_text
from .auth import api_user, token_required
from .blueprint import bp


@bp.get("/processes/<key>/versions")
@token_required
def process_version_list(key: str) -> Any:
    entries = queries.version_list(db.session, api_user(), key)
    return jsonify({"key": key, "items": [v.to_dict() for v in entries]})


@bp.post("/processes/<key>/versions")
@token_required
def process_version_deploy(key: str) -> Any:
    user = api_user()
    queries.version_list(db.session, user, key)  # 403 before reading the files, 404 for an unknown process
    uploads = [bpmn.Upload(f.filename or "", f.read()) for f in request.files.getlist("files") if f]
    try:
        results = bpmn.deploy_uploads(db.session, user, uploads, engine().clock(), key=key,
                                      roles={r.key for r in ROLES})
    except DeployError as exc:
        db.session.rollback()
        response, status = error_response(exc.code, deploy_error_text(exc), 422,
                                          {exc.filename or "files": deploy_error_text(exc)})
        body = response.get_json()
        body.update(filename=exc.filename, element=exc.element, reason=exc.reason or None, params=exc.params)
        return jsonify(body), status
    db.session.commit()
    result = next(r for r in results if r.key == key)  # a called process may come back beside it
    entry = next(v for v in queries.version_list(db.session, user, key) if v.version == result.version)
    return jsonify({**entry.to_dict(), "created": result.created}), 201 if result.created else 200


@bp.get("/processes/<key>/versions/<int:version>/diff")
@token_required
def process_version_diff(key: str, version: int) -> Any:
    against = record_id(request.args.get("against", "").strip())
    if against is None:
        return error_response("invalid_data", _("'against' must be the number of another version of this "
                                                "process, e.g. ?against=1."),
                              422, {"against": _("must be a version number")})
    return jsonify(queries.version_diff(db.session, api_user(), key, against, version).to_dict())
