"""The form editor: a step's JSON Schema edited in the browser, previewed as the task page shows it,
saved into its process's draft (published later as one new version with the draft's other changes).

The preview is the task page's own renderer (`ui.form_fields.build_fields` and the `_macros.html`
field macro), run on the server for the schema being typed (`form_preview`, fetched by
static/form-editor.js). A schema is checked as deploy checks it (`bpmn.read_form`: syntax with line
and column, JSON Schema, OpsFlow's x- extensions) and saved into the draft through
`draft_routes.save_into_draft` with the version the editor opened: a save on top of a version someone
replaced meanwhile is a 409 and stores nothing. A new form is attached to a step of the draft's model
(`bpmn.attach_form`), which goes into the draft with it.
"""
from __future__ import annotations

import json
from typing import Any

from flask import abort, jsonify, render_template, request, url_for
from flask_login import current_user

from engine import bpmn
from engine.errors import DeployError

from ..extensions import db
from ..ui.deploy_text import deploy_error_text
from ..ui.form_fields import build_fields
from .blueprint import bp
from .draft_routes import opened_revision, save_into_draft

NEW_FORM = {"type": "object", "title": "", "required": [], "properties": {}}


def _working(key: str) -> bpmn.WorkingSet:
    return bpmn.working_set(db.session, current_user, key)


def _form_text(working: bpmn.WorkingSet, filename: str) -> str:
    """The form's text in the working set (the draft's copy when the draft has one); 404 for a file
    that is no form of it."""
    found = working.files.get(filename)
    if found is None or found.kind != "form":
        abort(404)
    return found.content


def _preview(schema: dict[str, Any]) -> str:
    return render_template("admin/_form_preview.html", form=schema, fields=build_fields(schema, {}))


def _opened(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        abort(400)


def _page(working: bpmn.WorkingSet, filename: str, text: str, opened: int, error: str | None = None,
          conflict: bool = False, steps: list[bpmn.FormStep] | None = None, step: str = "",
          revision: str | None = None) -> str:
    try:
        preview = _preview(bpmn.read_form(filename, text))
    except DeployError:
        preview = ""
    return render_template("admin/form_editor.html", process=working, filename=filename, text=text,
                           opened=opened, error=error, conflict=conflict, preview=preview, steps=steps,
                           step=step, new=steps is not None, draft=working.draft,
                           revision=working.revision(filename) if revision is None else revision)


@bp.get("/models/<key>/forms/<filename>/edit")
def edit_form(key: str, filename: str) -> Any:
    working = _working(key)
    return _page(working, filename, _form_text(working, filename), working.base)


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
    """Check the form, then save it into the process's draft (with the draft's model naming it on
    `step`, for a new form) on top of the opened version. Refused: the editor again, with the text as
    typed, and nothing stored."""
    steps = bpmn.form_steps(db.session, current_user, key) if step is not None else None
    revisions = opened_revision(filename) if step is None else {filename: ""}

    def page(error: str, conflict: bool) -> str:
        return _page(_working(key), filename, text, opened, error, conflict, steps=steps, step=step or "",
                     revision=revisions.get(filename))

    try:
        bpmn.read_form(filename, text)
        uploads = [bpmn.Upload(filename, text.encode("utf-8"))]
        if step is not None:
            uploads.append(bpmn.attach_form(db.session, current_user, key, None, step, filename))
    except DeployError as exc:
        return page(deploy_error_text(exc), False), 422
    return save_into_draft(key, uploads, opened, page, url_for("admin.edit_form", key=key, filename=filename),
                           revisions)


@bp.post("/models/<key>/forms/<filename>/edit")
def save_form(key: str, filename: str) -> Any:
    opened = _opened(request.form.get("version"))
    _form_text(_working(key), filename)  # a form of the working set (404 otherwise)
    return _save(key, filename, request.form.get("schema", ""), opened)


@bp.get("/models/<key>/forms/new")
def new_form(key: str) -> Any:
    working = _working(key)
    return _page(working, "", json.dumps(NEW_FORM, ensure_ascii=False, indent=2), working.base,
                 steps=bpmn.working_form_steps(working))


@bp.post("/models/<key>/forms/new")
def create_form(key: str) -> Any:
    opened = _opened(request.form.get("version"))
    filename = request.form.get("filename", "").strip()
    return _save(key, filename, request.form.get("schema", ""), opened, request.form.get("step", ""))
