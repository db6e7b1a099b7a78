"""The form editor: a step's JSON Schema edited in the browser, previewed as the task page shows it,
saved as a new version of its process.

The preview is the task page's own renderer (`ui.form_fields.build_fields` and the `_macros.html`
field macro), run on the server for the schema being typed (`form_preview`, fetched by
static/form-editor.js). A schema is checked as deploy checks it (`bpmn.read_form`: syntax with line
and column, JSON Schema, OpsFlow's x- extensions) and saved through `bpmn.deploy_uploads` with the
version the editor opened: a save on top of a version someone replaced meanwhile is a 409 and
stores nothing. A new form is attached to a step of the model (`bpmn.attach_form`), which is saved
with it.
"""
from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import bpmn
from engine.errors import Conflict, DeployError

from ..extensions import db, engine
from ..ui.deploy_text import deploy_error_text
from ..ui.form_fields import build_fields
from ..ui.names import process_name
from .blueprint import bp
from .people_forms import directory_rules

NEW_FORM = {"type": "object", "title": "", "required": [], "properties": {}}


def _form_text(key: str, version: int, filename: str) -> str:
    found = bpmn.version_file(db.session, current_user, key, version, filename)
    if found.kind != "form":
        abort(404)
    return found.content


def _preview(schema: dict[str, Any]) -> str:
    return render_template("admin/_form_preview.html", form=schema, fields=build_fields(schema, {}))


def _opened(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        abort(400)


def _page(key: str, filename: str, text: str, opened: int, error: str | None = None,
          conflict: bool = False, steps: list[bpmn.FormStep] | None = None, step: str = "") -> str:
    summary, _history, files = bpmn.process_versions(db.session, current_user, key)
    try:
        preview = _preview(bpmn.read_form(filename, text))
    except DeployError:
        preview = ""
    return render_template("admin/form_editor.html", process=summary, filename=filename, text=text,
                           opened=opened, error=error, conflict=conflict, preview=preview, steps=steps,
                           step=step, new=steps is not None)


@bp.get("/models/<key>/forms/<filename>/edit")
def edit_form(key: str, filename: str) -> Any:
    summary, _history, _files = bpmn.process_versions(db.session, current_user, key)
    version = summary.latest.version if summary.latest else 0
    return _page(key, filename, _form_text(key, version, filename), version)


@bp.post("/models/<key>/forms/<filename>/preview")
def form_preview(key: str, filename: str) -> Any:
    """The fields of the posted schema as the task page renders them, or why the schema is refused
    (422), in the person's language."""
    bpmn.process_versions(db.session, current_user, key)  # the process exists (404)
    try:
        schema = bpmn.read_form(request.form.get("filename") or filename, request.form.get("schema", ""))
    except DeployError as exc:
        return jsonify(ok=False, error=deploy_error_text(exc)), 422
    return jsonify(ok=True, html=_preview(schema))


def _save(key: str, filename: str, text: str, opened: int, step: str | None = None) -> Any:
    """Check the form, then deploy it (with the model naming it on `step`, for a new form) on top of
    the opened version. Refused: the editor again, with the text as typed, and nothing stored."""
    steps = bpmn.form_steps(db.session, current_user, key, opened) if step is not None else None
    try:
        bpmn.read_form(filename, text)
        uploads = [bpmn.Upload(filename, text.encode("utf-8"))]
        if step is not None:
            uploads.append(bpmn.attach_form(db.session, current_user, key, opened, step, filename))
        results = bpmn.deploy_uploads(db.session, current_user, uploads, engine().clock(), key=key,
                                      roles=directory_rules().role_scopes.keys(), expected_version=opened)
    except DeployError as exc:
        db.session.rollback()
        return _page(key, filename, text, opened, deploy_error_text(exc), steps=steps,
                     step=step or ""), 422
    except Conflict:
        db.session.rollback()
        latest = bpmn.process_versions(db.session, current_user, key)[0].latest
        message = _("Version %(latest)s of this process was saved after you opened version %(opened)s, so "
                    "nothing was saved. Copy your change, open the newest version and make it again.",
                    latest=latest.version if latest else "—", opened=opened)
        return _page(key, filename, text, opened, message, conflict=True, steps=steps, step=step or ""), 409
    db.session.commit()
    [result] = results
    if result.created:
        flash(_("%(process)s: version %(version)d deployed; new cases start on it, running ones stay on "
                "theirs.", process=process_name(key), version=result.version), "success")
    else:
        flash(_("%(process)s: nothing changed, still version %(version)d.", process=process_name(key),
                version=result.version), "info")
    return redirect(url_for("admin.edit_form", key=key, filename=filename), 303)


@bp.post("/models/<key>/forms/<filename>/edit")
def save_form(key: str, filename: str) -> Any:
    opened = _opened(request.form.get("version"))
    _form_text(key, opened, filename)  # a form of the version opened (404 otherwise)
    return _save(key, filename, request.form.get("schema", ""), opened)


@bp.get("/models/<key>/forms/new")
def new_form(key: str) -> Any:
    summary, _history, _files = bpmn.process_versions(db.session, current_user, key)
    version = summary.latest.version if summary.latest else 0
    return _page(key, "", json.dumps(NEW_FORM, ensure_ascii=False, indent=2), version,
                 steps=bpmn.form_steps(db.session, current_user, key, version))


@bp.post("/models/<key>/forms/new")
def create_form(key: str) -> Any:
    opened = _opened(request.form.get("version"))
    filename = request.form.get("filename", "").strip()
    return _save(key, filename, request.form.get("schema", ""), opened, request.form.get("step", ""))
