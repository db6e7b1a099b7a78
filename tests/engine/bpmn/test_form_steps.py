"""The steps of a version that show a form, and a new form attached to one of them: saved with its
model as one new version; a clash with an existing file or an unknown step refused, nothing stored."""
from __future__ import annotations

import json

import pytest

from engine.bpmn import attach_form, deploy_uploads, form_steps, version_file
from engine.bpmn.versions import Upload
from engine.errors import DeployError, PermissionDenied

FORM = {"type": "object", "required": ["note"], "properties": {"note": {"type": "string", "title": "备注"}}}


def test_the_steps_with_forms_are_listed_in_model_order(session, deployed, root):
    steps = {s.element_id: s.form for s in form_steps(session, root, "lanes_gateway", 1)}
    assert steps["start"] == "start.json" and steps["report"] == "report.json"
    assert steps["approve"] == "approve.json"


def test_a_new_form_is_deployed_with_the_model_naming_it(session, deployed, root, clock):
    model = attach_form(session, root, "lanes_gateway", 1, "report", "report_v2.json")
    assert model.filename == "lanes_gateway.bpmn" and b'value="report_v2.json"' in model.content
    [result] = deploy_uploads(session, root, [Upload("report_v2.json", json.dumps(FORM).encode()), model],
                              clock(), key="lanes_gateway", expected_version=1)
    assert (result.version, result.created) == (2, True)
    assert json.loads(version_file(session, root, "lanes_gateway", 2, "report_v2.json").content) == FORM
    steps = {s.element_id: s.form for s in form_steps(session, root, "lanes_gateway", 2)}
    assert steps["report"] == "report_v2.json"


def test_a_clash_or_an_unknown_step_is_refused_and_only_administrators_may(session, deployed, root, people,
                                                                          dump):
    before = dump(session)
    with pytest.raises(DeployError, match="report.json: version 1 has a file of this name already"):
        attach_form(session, root, "lanes_gateway", 1, "report", "report.json")
    with pytest.raises(DeployError, match="element nope: no user task or start event of this id"):
        attach_form(session, root, "lanes_gateway", 1, "nope", "new.json")
    with pytest.raises(PermissionDenied):
        attach_form(session, people["director"], "lanes_gateway", 1, "report", "new.json")
    assert dump(session) == before
