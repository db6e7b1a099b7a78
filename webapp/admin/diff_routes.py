"""The version diff page: two versions of a process side by side, what was added, removed and changed
marked on both diagrams (bpmn-js, static/model-diff.js) and listed below.

The page reads `from` (the older version, usually) and `to`; left out, it compares the current version
with the one before; `file` picks which BPMN file the diagrams draw when a version carries more than
its own (a called process's), its own by default. The diagrams load the stored .bpmn files through
the model file route, so the page itself carries only the diff, with the marks of every file (the
picker switches files in place).
"""
from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from engine import bpmn, queries

from ..errors import BadRequest
from ..extensions import db
from ..record_ids import record_id
from ..ui.names import process_name
from .blueprint import bp

#: The aspects an administrator reads by name; the others are shown as the file spells them.
ASPECTS = {
    "name": _l("Name"), "type": _l("Type"), "lane": _l("Lane (role)"), "incoming": _l("Incoming flows"),
    "outgoing": _l("Outgoing flows"), "condition": _l("Condition"), "script": _l("Script"),
    "documentation": _l("Instructions"), "default": _l("Default flow"), "sourceRef": _l("From"),
    "targetRef": _l("To"), "property:nameEn": _l("English name"), "property:dueInHours": _l("Due in hours"),
    "property:priority": _l("Priority"), "property:formJsonSchemaFilename": _l("Form"),
    "property:assignee": _l("Assignee"), "property:cc": _l("Copy to"), "required": _l("Required"),
    "title": _l("Title"), "description": _l("Description"), "preScript": _l("Script before"),
    "postScript": _l("Script after"), "calledDecisionId": _l("Decision table"),
    "timerEventDefinition": _l("Timer"), "hitPolicy": _l("Hit policy"), "inputs": _l("Inputs"),
    "outputs": _l("Outputs"), "attachedToRef": _l("Attached to"), "calledElement": _l("Called process"),
}


def aspect_label(aspect: str) -> str:
    if aspect in ASPECTS:
        return str(ASPECTS[aspect])
    for prefix, label in (("input:", _("Input")), ("output:", _("Output")), ("property:", _("Property"))):
        if aspect.startswith(prefix):
            return f"{label} {aspect[len(prefix):]}"
    return aspect


def _version_arg(name: str, default: int) -> int:
    value = request.args.get(name)
    if value in (None, ""):
        return default
    number = record_id(value.strip())
    if number is None:
        raise BadRequest(_("'%(name)s' must be a version number.", name=name),
                         {name: _("must be a version number")})
    return number


@bp.get("/models/<key>/diff")
def model_diff(key: str) -> Any:
    summary, history, _files = bpmn.process_versions(db.session, current_user, key)
    latest = summary.latest.version if summary.latest else 1
    new = _version_arg("to", latest)
    old = _version_arg("from", max(1, new - 1))
    diff = queries.version_diff(db.session, current_user, key, old, new)
    files = [d.filename for d in diff.diagrams]
    shown = request.args.get("file") if request.args.get("file") in files else f"{key}.bpmn"
    return render_template("admin/model_diff.html", process=summary, history=history, diff=diff,
                           diagram=f"{key}.bpmn", shown=shown, aspect_label=aspect_label,
                           marks={**diff.marks(shown), "files": {name: diff.marks(name) for name in files}},
                           title=process_name(summary.key, summary.name))
