"""Deploying models: new versions for changed files, running cases stay on theirs, broken files refused."""
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import DeployError, queries
from engine.bpmn.deploy import deploy_directory
from engine.models import ModelFile, ProcessDefinition, ProcessInstance, ProcessVersion

MODELS = Path(__file__).parents[1] / "fixture_models"

# lanes_gateway with one more step, `double_check`, between `report` and `approve`
DOUBLE_CHECK = [
    ('<bpmn:flowNodeRef>report</bpmn:flowNodeRef>',
     '<bpmn:flowNodeRef>report</bpmn:flowNodeRef>\n'
     '        <bpmn:flowNodeRef>double_check</bpmn:flowNodeRef>'),
    ('<bpmn:sequenceFlow id="f2" sourceRef="report" targetRef="approve" />',
     '<bpmn:sequenceFlow id="f2" sourceRef="report" targetRef="double_check" />\n'
     '    <bpmn:userTask id="double_check" name="复核">\n'
     '      <bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
     'name="formJsonSchemaFilename" value="double_check.json" /></spiffworkflow:properties>'
     '</bpmn:extensionElements>\n    </bpmn:userTask>\n'
     '    <bpmn:sequenceFlow id="f2b" sourceRef="double_check" targetRef="approve" />'),
]


def _edit(path, replacements):
    text = path.read_text("utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, "utf-8")


def _counts(session):
    return [session.scalar(select(func.count()).select_from(m)) for m in (ProcessDefinition, ProcessVersion,
                                                                         ModelFile)]


def test_redeploy_moves_new_cases_to_version_2_and_old_ones_finish_on_version_1(
        engine, session, people, deployed, clock, model_dir, tasks_of):
    m1, director = people["manager_sh001"], people["director"]
    assert deployed["lanes_gateway"].version == 1
    counts = _counts(session)
    assert all(not r.created for r in deploy_directory(session, MODELS, now=clock()))  # unchanged: a no-op
    assert _counts(session) == counts

    old = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 10})
    session.commit()
    folder = model_dir("lanes_gateway")
    _edit(folder / "lanes_gateway.bpmn", DOUBLE_CHECK)
    (folder / "double_check.json").write_text(json.dumps(
        {"type": "object", "required": ["checked"], "properties": {"checked": {"type": "boolean"}}}), "utf-8")
    [result] = deploy_directory(session, folder, now=clock.advance(hours=1), deployed_by="admin")
    session.commit()
    assert (result.key, result.version, result.created) == ("lanes_gateway", 2, True)
    [again] = deploy_directory(session, folder, now=clock())
    assert (again.version, again.created) == (2, False)

    new = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 20})
    session.commit()
    assert (old.version, new.version) == (1, 2)
    new = engine.complete(session, new.open_tasks[0].id, m1, {"summary": "new"})
    assert [t.element_id for t in new.open_tasks] == ["double_check"]
    detail = queries.task_detail(engine, session, m1, new.open_tasks[0].id)
    assert detail.form["required"] == ["checked"]

    old = engine.complete(session, old.open_tasks[0].id, m1, {"summary": "old"})
    assert [t.element_id for t in old.open_tasks] == ["approve"]  # version 1 has no double_check
    old = engine.complete(session, old.open_tasks[0].id, director, {"approved": True})
    session.commit()
    assert (old.version, old.status, old.outcome) == (1, "completed", "approved")
    assert session.get(ProcessInstance, old.id).version.version == 1


BROKEN = {
    "not well-formed XML": ("lanes_gateway.bpmn", [("</bpmn:userTask>", "</bpmn:userTsk>")], "userTask"),
    "user task in no lane": ("lanes_gateway.bpmn", [("<bpmn:flowNodeRef>report</bpmn:flowNodeRef>", "")],
                             "element report"),
    "missing form file": ("lanes_gateway.bpmn", [('value="approve.json"', 'value="approve_v2.json"')],
                          "element approve"),
    "no start event": ("lanes_gateway.bpmn", [
        ('<bpmn:startEvent id="start">', '<!--'), ('</bpmn:startEvent>', '-->'),
        ('<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="report" />', '')], "element lanes_gateway"),
    "invalid JSON schema": ("approve.json", [('"type": "boolean"', '"type": "yes-or-no"')],
                            "element approve"),
    "form not JSON": ("approve.json", [('{"type"', '{type')], "line 1"),
    "rule reading a field the form does not show": ("start.json", [(
        '"required": ["store_code", "amount"]',
        '"x-rules": [{"field": "amount", "at_most": "budget"}], "required": ["store_code", "amount"]')],
        "element start"),
    "rule outside the rule language": ("start.json", [(
        '"required": ["store_code", "amount"]',
        '"x-rules": [{"field": "amount", "at_most": "amount.__class__"}], '
        '"required": ["store_code", "amount"]')],
        "x-rules[0] (amount): 'amount.__class__': Attribute is not allowed"),
    "decision table missing": ("discount_level.dmn", None, "element classify: decision 'discount_level'"),
    "business rule task without its decision": ("discount.bpmn", [(
        "<spiffworkflow:calledDecisionId>discount_level</spiffworkflow:calledDecisionId>", "")],
        "element classify: business rule task names no decision"),
}


@pytest.mark.parametrize("broken", list(BROKEN))
def test_a_broken_file_is_refused_naming_file_and_element_and_nothing_is_stored(
        session, clock, model_dir, broken):
    filename, replacements, where = BROKEN[broken]
    folder = model_dir("delivery", "lanes_gateway", "discount")
    shutil.copy(MODELS / "discount_level.dmn", folder)
    if replacements is None:
        (folder / filename).unlink()
    else:
        _edit(folder / filename, replacements)
    counts = _counts(session)
    with pytest.raises(DeployError) as refused:
        deploy_directory(session, folder, now=clock())
    message = str(refused.value)
    assert message.startswith(filename if broken != "decision table missing" else "discount.bpmn"), message
    assert where in message, message
    assert _counts(session) == counts  # the good models in the folder were not stored either
    session.rollback()
    assert _counts(session) == counts


def test_a_condition_naming_data_nobody_sets_is_deployable(session, clock, model_dir):
    folder = model_dir("lanes_gateway")
    _edit(folder / "lanes_gateway.bpmn", [("approved == True", "approved == True and vip_customer")])
    [result] = deploy_directory(session, folder, now=clock())
    assert (result.version, result.created) == (1, True)


def test_a_parsed_process_names_its_elements():
    """The histories name past steps from these, so the web layer never reads spec objects."""
    from engine.bpmn import collect_directory, parse_process
    names = parse_process("lanes_gateway", collect_directory(MODELS)["lanes_gateway"]).element_names()
    assert (names["report"], names["approve"], names["decide"]) == ("门店填报", "总监审批", "批准?")
