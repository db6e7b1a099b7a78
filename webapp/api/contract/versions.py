"""A process's versions (issue 16), for administrators: the list, deploying files as a new version,
and the difference between two versions; `document` merges them in."""
from __future__ import annotations

from typing import Any

from .operations import KEY, READ, _param, op, returns
from .schemas import TEXT, TIME, Schema, closed, nullable, ref

COUNT = {"type": "integer", "minimum": 0}
NUMBER = {"type": "integer", "minimum": 1}
STATUS = {"type": "string", "enum": ["added", "removed", "changed"],
          "description": "added in the newer version, removed from it, or changed"}
VERSION = _param("version", "path", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                 "a version number of the process")
AGAINST = _param("against", "query", {"type": "string", "pattern": "^[0-9]{1,10}$"},
                 "the version to compare with: the diff goes from it to `version`", required=True)
ADMIN = {403: "not an administrator", 404: "no such process"}
VERSION_FIELDS: dict[str, Schema] = {
    "version": NUMBER,
    "current": {"type": "boolean", "description": "new cases start on it"},
    "deployed_at": TIME,
    "deployed_by": {**nullable(TEXT), "description": "a username (`startup`: deployed from the shipped "
                                                     "files); null when unknown"},
    "checksum": {**TEXT, "description": "SHA-256 over the version's files"},
    "files": {"type": "array", "items": ref("ModelFileName"), "description": "by file name"},
    "running": {**COUNT, "description": "cases on this version still running"},
    "cases": {**COUNT, "description": "every case started on it"},
}


def _changes(description: str) -> Schema:
    return {"type": "array", "items": ref("VersionChange"), "description": description}


SCHEMAS: dict[str, Schema] = {
    "ModelFileName": closed({"kind": {"type": "string", "enum": ["bpmn", "dmn", "form"]}, "filename": TEXT},
                            "One file of a version."),
    "ProcessVersion": closed(VERSION_FIELDS, "One deployed version of a process."),
    "ProcessVersionList": closed({"key": TEXT, "items": {"type": "array", "items": ref("ProcessVersion")}},
                                 "A process's versions, newest first."),
    "DeployedVersion": closed({**VERSION_FIELDS, "created": {
        "type": "boolean", "description": "false: the files changed nothing; this is the current version"}},
        "The version the files made (or already were)."),
    "VersionChange": closed({
        "aspect": {**TEXT, "description": "what changed: name, type, lane, incoming, outgoing, condition, "
                                          "script, property:<name> (an OpsFlow property such as "
                                          "property:dueInHours), a BPMN attribute or extension; for a form "
                                          "field a JSON Schema keyword or `required`; for a rule "
                                          "input:<column>, output:<column> or description"},
        "old": {**nullable(TEXT), "description": "null: there was none"},
        "new": {**nullable(TEXT), "description": "null: there is none now"},
    }, "One aspect, before and after."),
    "ElementChange": closed({
        "status": STATUS, "element_id": {**TEXT, "description": "the BPMN id"},
        "type": {**TEXT, "description": "the BPMN type: userTask, sequenceFlow, exclusiveGateway, ..."},
        "name": TEXT, "file": TEXT, "changes": _changes("by aspect")}, "A BPMN element that changed."),
    "FieldChange": closed({
        "status": STATUS, "path": {**TEXT, "description": "amount, address.city, lines[].sku"}, "title": TEXT,
        "changes": _changes("by keyword")}, "A form field that changed."),
    "FormChange": closed({
        "status": STATUS, "filename": TEXT, "title": TEXT, "changes": _changes("the form's own keywords"),
        "fields": {"type": "array", "items": ref("FieldChange"), "description": "by path"}},
        "A form (a step's JSON Schema) that changed."),
    "RuleChange": closed({
        "status": STATUS, "rule_id": TEXT,
        "position": {**NUMBER, "description": "its row in the newer table (in the older one when removed)"},
        "inputs": {"type": "array", "items": closed({"input": TEXT, "entry": TEXT}),
                   "description": "the rule's input cells: which cases it decides"},
        "changes": _changes("by cell")}, "A decision-table rule that changed."),
    "DecisionChange": closed({
        "status": STATUS, "decision_id": TEXT, "name": TEXT, "file": TEXT,
        "changes": _changes("name, hitPolicy, inputs, outputs"),
        "rules": {"type": "array", "items": ref("RuleChange"), "description": "by position"}},
        "A decision table that changed."),
    "VersionDiff": closed({
        "key": TEXT, "from_version": NUMBER, "to_version": NUMBER,
        "empty": {"type": "boolean", "description": "true: the two versions are the same"},
        "files": _changes("files added (old null) or removed (new null); aspect is the file name, old/new "
                          "its kind"),
        "elements": {"type": "array", "items": ref("ElementChange"),
                     "description": "by file, steps first, then flows, then lanes and the process; by id"},
        "forms": {"type": "array", "items": ref("FormChange"), "description": "by file name"},
        "decisions": {"type": "array", "items": ref("DecisionChange"), "description": "by decision id"},
    }, "What changed from one version of a process to another, read from their files (the diagram's "
       "layout is not a change)."),
}

DEPLOY_BODY: dict[str, Any] = {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["files"], "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": "the files that change: the process's .bpmn, a .dmn table, a .json form; "
                                 "the others are taken from the current version"}}}}}}

_deploy = op(
    "process_version_deploy", "Deploy files as a new version of a process (administrators)", "Admin",
    returns(ref("DeployedVersion"), "the new version"), status=201, errors=READ + (403, 404, 422),
    parameters=[KEY],
    why={**ADMIN, 422: "a file was refused (nothing is stored): `filename` names the file and `element` the "
                       "BPMN element when there is one"},
    description="Validated as the model page does; files that change nothing answer 200 with the current "
                "version and `created` false. Running cases stay on their version.")
_deploy["requestBody"] = DEPLOY_BODY
_deploy["responses"]["200"] = returns(ref("DeployedVersion"), "nothing changed: the current version")

PATHS: dict[str, dict[str, Any]] = {
    "/processes/{key}/versions": {
        "get": op("process_version_list", "A process's versions (administrators)", "Admin",
                  returns(ref("ProcessVersionList"), "newest first"), errors=READ + (403, 404),
                  parameters=[KEY], why=ADMIN),
        "post": _deploy},
    "/processes/{key}/versions/{version}/diff": {"get": op(
        "process_version_diff", "What changed between two versions (administrators)", "Admin",
        returns(ref("VersionDiff"), "from `against` to `version`"), errors=READ + (403, 404, 422),
        parameters=[KEY, VERSION, AGAINST],
        why={403: "not an administrator", 404: "no such process, or no such version of it",
             422: "`against` is missing or not a version number (`fields.against`)"})},
}
