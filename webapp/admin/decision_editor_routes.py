"""The decision table editor: a .dmn file of the process's working set in dmn-js (vendored from npm),
saved into the process's draft (published later as one new version with the draft's other changes).

The page carries the file's XML (the draft's copy when the draft has one); static/decision-editor.js
opens it in the dmn-js modeler's decision table view and posts the edited XML back. Saving goes
through `draft_routes.save_into_draft` with the version the editor opened, so every cell is compiled
under the script policy as on any deploy (a refusal names the rule and entry, in the person's
language) and a save on top of a newer version is a 409.
"""
from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import bpmn

from ..extensions import db
from .blueprint import bp
from .draft_routes import opened_revision, save_into_draft


def _decision_text(working: bpmn.WorkingSet, filename: str) -> str:
    """The table's XML in the working set (the draft's copy when the draft has one); 404 for a file
    that is no decision table of it."""
    found = working.files.get(filename)
    if found is None or found.kind != "dmn":
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


def _page(working: bpmn.WorkingSet, filename: str, xml: str, opened: int, error: str | None = None,
          conflict: bool = False, revision: str | None = None) -> str:
    return render_template("admin/decision_editor.html", process=working, filename=filename, xml=xml,
                           opened=opened, error=error, conflict=conflict, texts=_editor_texts(),
                           draft=working.draft,
                           revision=working.revision(filename) if revision is None else revision)


@bp.get("/models/<key>/decisions/<filename>/edit")
def edit_decision(key: str, filename: str) -> Any:
    working = bpmn.working_set(db.session, current_user, key)
    return _page(working, filename, _decision_text(working, filename), working.base)


@bp.post("/models/<key>/decisions/<filename>/edit")
def save_decision(key: str, filename: str) -> Any:
    try:
        opened = int(request.form.get("version") or "")
    except ValueError:
        abort(400)
    _decision_text(bpmn.working_set(db.session, current_user, key), filename)  # a table of it (404 otherwise)
    xml = request.form.get("dmn", "")
    revisions = opened_revision(filename)

    def page(error: str, conflict: bool) -> str:
        return _page(bpmn.working_set(db.session, current_user, key), filename, xml, opened, error, conflict,
                     revisions.get(filename))

    return save_into_draft(key, [bpmn.Upload(filename, xml.encode("utf-8"))], opened, page,
                           url_for("admin.edit_decision", key=key, filename=filename), revisions)
