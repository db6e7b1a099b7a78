"""What the modeler opens (engine/bpmn/editing.py): the current version of a process with the forms
and decisions its properties may pick from; only administrators; a process nobody deployed is not
found."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import bpmn
from engine.bpmn.versions import Upload
from engine.errors import NotFound, PermissionDenied

MODELS = Path(__file__).parents[1] / "fixture_models"


def test_the_modeler_opens_the_current_version_with_its_forms_and_decisions(session, deployed, root, clock):
    discount = bpmn.editor_source(session, root, "discount")
    assert (discount.key, discount.version, discount.bpmn_filename) == ("discount", 1, "discount.bpmn")
    assert [(d.id, d.name, d.filename) for d in discount.decisions] == [
        ("discount_level", "折扣等级", "discount_level.dmn")]
    assert "approve_discount.json" in discount.forms
    lanes = bpmn.editor_source(session, root, "lanes_gateway")
    assert lanes.decisions == () and set(lanes.forms) == {"start.json", "report.json", "approve.json"}
    form = json.loads((MODELS / "report.json").read_text("utf-8"))
    form["title"] = "v2"
    bpmn.deploy_uploads(session, root, [Upload("report.json", json.dumps(form).encode("utf-8"))], clock(),
                        key="lanes_gateway")
    assert bpmn.editor_source(session, root, "lanes_gateway").version == 2


def test_only_administrators_open_the_modeler_and_only_on_a_deployed_process(session, deployed, people, root):
    with pytest.raises(PermissionDenied):
        bpmn.editor_source(session, people["director"], "discount")
    with pytest.raises(NotFound):
        bpmn.editor_source(session, root, "nope")
