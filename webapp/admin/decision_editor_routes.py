"""The decision table editor: a version's .dmn file in dmn-js (vendored from npm), saved as a new
version of its process.

The page carries the file's XML; static/decision-editor.js opens it in the dmn-js modeler's decision
table view and posts the edited XML back. Saving goes through `bpmn.deploy_uploads` with the version
the editor opened, so every cell is compiled under the script policy as on any deploy (a refusal
names the rule and entry, in the person's language) and a save on top of a newer version is a 409.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import bpmn
from engine.errors import Conflict, DeployError

from ..extensions import db, engine
from ..ui.deploy_text import deploy_error_text
from ..ui.names import process_name
from .blueprint import bp
from .people_forms import directory_rules


def _decision_text(key: str, version: int, filename: str) -> str:
    found = bpmn.version_file(db.session, current_user, key, version, filename)
    if found.kind != "dmn":
        abort(404)
    return found.content


def _editor_texts() -> dict[str, str]:
    """dmn-js's own words (its English is the key) in the person's language, for its translate module."""
    return {
        "When": _("When (decision table)"),
        "And": _("And"),
        "Then": _("Then"),
        "Annotations": _("Annotations"),
        "Annotation": _("Annotation"),
        "Hit policy:": _("Hit policy:"),
        "Unique": _("Unique"),
        "First": _("First"),
        "Priority": _("Priority"),
        "Any": _("Any"),
        "Collect": _("Collect"),
        "Rule order": _("Rule order"),
        "Output order": _("Output order"),
        "Add rule": _("Add rule"),
        "Add rule above": _("Add rule above"),
        "Add rule below": _("Add rule below"),
        "Remove rule": _("Remove rule"),
        "Copy rule": _("Copy rule"),
        "Cut rule": _("Cut rule"),
        "Paste rule above": _("Paste rule above"),
        "Paste rule below": _("Paste rule below"),
        "Add input": _("Add input"),
        "Add output": _("Add output"),
        "Input label": _("Input label"),
        "Input expression": _("Input expression"),
        "Output label": _("Output label"),
        "Output name": _("Output name"),
        "Input": _("Input"),
        "Output": _("Output"),
        "Expression language": _("Expression language"),
        "Delete": _("Delete"),
    }


def _page(key: str, filename: str, xml: str, opened: int, error: str | None = None,
          conflict: bool = False) -> str:
    summary, _history, _files = bpmn.process_versions(db.session, current_user, key)
    return render_template("admin/decision_editor.html", process=summary, filename=filename, xml=xml,
                           opened=opened, error=error, conflict=conflict, texts=_editor_texts())


@bp.get("/models/<key>/decisions/<filename>/edit")
def edit_decision(key: str, filename: str) -> Any:
    summary, _history, _files = bpmn.process_versions(db.session, current_user, key)
    version = summary.latest.version if summary.latest else 0
    return _page(key, filename, _decision_text(key, version, filename), version)


@bp.post("/models/<key>/decisions/<filename>/edit")
def save_decision(key: str, filename: str) -> Any:
    try:
        opened = int(request.form.get("version") or "")
    except ValueError:
        abort(400)
    _decision_text(key, opened, filename)  # a decision table of the version opened (404 otherwise)
    xml = request.form.get("dmn", "")
    try:
        [result] = bpmn.deploy_uploads(db.session, current_user, [bpmn.Upload(filename, xml.encode("utf-8"))],
                                       engine().clock(), key=key, roles=directory_rules().role_scopes.keys(),
                                       expected_version=opened)
    except DeployError as exc:
        db.session.rollback()
        return _page(key, filename, xml, opened, deploy_error_text(exc)), 422
    except Conflict:
        db.session.rollback()
        latest = bpmn.process_versions(db.session, current_user, key)[0].latest
        message = _("Version %(latest)s of this process was saved after you opened version %(opened)s, so "
                    "nothing was saved. Copy your change, open the newest version and make it again.",
                    latest=latest.version if latest else "—", opened=opened)
        return _page(key, filename, xml, opened, message, conflict=True), 409
    db.session.commit()
    if result.created:
        flash(_("%(process)s: version %(version)d deployed; new cases start on it, running ones stay on "
                "theirs.", process=process_name(key), version=result.version), "success")
    else:
        flash(_("%(process)s: nothing changed, still version %(version)d.", process=process_name(key),
                version=result.version), "info")
    return redirect(url_for("admin.edit_decision", key=key, filename=filename), 303)
