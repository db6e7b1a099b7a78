"""The model pages: deployed processes and their versions, a version's files, deploying uploads.

A refused upload comes back on the page it was sent from, with the engine's message (it names the
file and the element) and status 422; nothing was stored.
"""
from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import bpmn
from engine.errors import DeployError

from ..extensions import db, engine
from ..ui.names import process_name
from .blueprint import bp
from .people_forms import directory_rules


@bp.get("/models")
def models() -> Any:
    return render_template("admin/models.html", processes=bpmn.list_processes(db.session, current_user))


@bp.get("/models/<key>")
def model(key: str) -> Any:
    return model_page(key)


def model_page(key: str, **extra: Any) -> str:
    """The process's page: its versions, the current version's files and its draft, if any."""
    summary, history, files = bpmn.process_versions(db.session, current_user, key)
    return render_template("admin/model.html", process=summary, history=history, files=files,
                           retired=bpmn.is_retired(db.session, key),
                           draft=bpmn.process_draft(db.session, current_user, key), **extra)


@bp.post("/models")
@bp.post("/models/<key>")
def deploy(key: str | None = None) -> Any:
    uploads = [bpmn.Upload(f.filename or "", f.read())
               for f in request.files.getlist("files") if f and f.filename]
    try:
        results = bpmn.deploy_uploads(db.session, current_user, uploads, engine().clock(), key=key,
                                      roles=directory_rules().role_scopes.keys())
    except DeployError as exc:
        db.session.rollback()
        if key is None:
            page = render_template("admin/models.html", error=exc,
                                   processes=bpmn.list_processes(db.session, current_user))
        else:
            page = model_page(key, error=exc)
        return page, 422
    db.session.commit()
    for r in results:
        if r.created:
            flash(_("%(process)s: version %(version)d deployed; new cases start on it, running ones stay on "
                    "theirs.", process=process_name(r.key), version=r.version), "success")
        else:
            flash(_("%(process)s: nothing changed, still version %(version)d.", process=process_name(r.key),
                    version=r.version), "info")
    target = key or (results[0].key if len(results) == 1 else None)
    return redirect(url_for("admin.model", key=target) if target else url_for("admin.models"), 303)


@bp.get("/models/<key>/<int:version>/files/<path:filename>")
def model_file(key: str, version: int, filename: str) -> Any:
    """A stored file as plain text, never rendered: the model's source for reading or saving."""
    found = bpmn.version_file(db.session, current_user, key, version, filename)
    disposition = "attachment" if request.args.get("download") else "inline"
    return Response(found.content, mimetype="text/plain", headers={
        "Content-Disposition": f'{disposition}; filename="{found.filename}"',
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"})
