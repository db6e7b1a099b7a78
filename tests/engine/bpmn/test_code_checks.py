"""Deploy compiles every script, condition, timer and DMN expression under the run-time policy and
refuses the model naming file, line, element and reason; nothing is stored."""
from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from engine import DeployError
from engine.bpmn.code_checks import model_code
from engine.bpmn.deploy import deploy_directory
from engine.bpmn.specs import SourceFile

MODELS = Path(__file__).parents[1] / "fixture_models"

# where the code goes: (file, the text to replace, file line, element, what the message calls it, mode)
PLACES = {
    "script": ("follow_up.bpmn", "daily_share = round(100 / planned_days, 2)", 22, "rate_visit", "script",
               "exec"),
    "condition": ("discount.bpmn", 'level == "high"', 25, "flow_by_level_to_approve_discount", "condition",
                  "eval"),
    "DMN input": ("discount_level.dmn", ">= 1000", 10, "discount_level_rule_1_in_1",
                  "DMN input entry of rule 1", "eval"),
    "DMN output": ("discount_level.dmn", '"high"', 11, "discount_level_rule_1_out_1",
                   "DMN output entry of rule 1", "eval"),
    "timer": ("escalation.bpmn", "duration_hours(48)", 43, "confirm_timeout", "timer duration", "eval"),
}
PROCESS_OF = {"follow_up.bpmn": "follow_up", "discount.bpmn": "discount", "discount_level.dmn": "discount",
              "escalation.bpmn": "escalation"}
# what is tried: (code in a script, the reason given), (code in an expression, the reason given)
BAD_CODE = {
    "import": (("import os", "'import' is not allowed in model scripts"),
               ('__import__("os").getcwd()', '"__import__" is an invalid variable name')),
    "dunder attribute": (("x = ().__class__", '"__class__" is an invalid attribute name'),
                         ("().__class__", '"__class__" is an invalid attribute name')),
    "eval": (("x = eval('1 + 1')", "'eval' is not allowed in model scripts"),
             ("eval('1 + 1')", "'eval' is not allowed in model scripts")),
    "open": (("x = open('/etc/passwd').read()", "'open' is not allowed in model scripts"),
             ("open('/etc/passwd').read()", "'open' is not allowed in model scripts")),
    "exec": (("exec('x = 1')", "'exec' is not allowed in model scripts"),
             ("exec('x = 1')", "'exec' is not allowed in model scripts")),
    "class": (("class Box:\n    pass", "class definitions are not allowed in model scripts"),
              ('type("Box", (), {})', "'type' is not allowed in model scripts")),
    "syntax error": (("x = (1 +", "syntax error"), ("amount >= (", "syntax error")),
}


def _broken_folder(tmp_path: Path, place: str, code: str) -> Path:
    filename, old, *_ = PLACES[place]
    process = PROCESS_OF[filename]
    folder = tmp_path / "models"
    folder.mkdir()
    for form in MODELS.glob("*.json"):
        (folder / form.name).write_text(form.read_text("utf-8"), "utf-8")
    files = [f"{process}.bpmn"] + (["discount_level.dmn"] if process == "discount" else [])
    for name in files:
        text = (MODELS / name).read_text("utf-8")
        if name == filename:
            target = escape(old)
            assert text.count(target) == 1, target
            text = text.replace(target, escape(code))
        (folder / name).write_text(text, "utf-8")
    return folder


@pytest.mark.parametrize("kind", list(BAD_CODE))
@pytest.mark.parametrize("place", list(PLACES))
def test_deploy_refuses_code_the_sandbox_would_refuse(session, tmp_path, clock, dump, place, kind):
    filename, _, line, element, what, mode = PLACES[place]
    code, reason = BAD_CODE[kind][0 if mode == "exec" else 1]
    folder = _broken_folder(tmp_path, place, code)
    before = dump(session)
    with pytest.raises(DeployError) as refused:
        deploy_directory(session, folder, now=clock())
    error = refused.value
    assert (error.filename, error.element) == (filename, element), str(error)
    assert str(error).startswith(f"{filename}, line {line}, element {element}: {what}: ")
    assert reason in str(error)
    assert error.line == line
    session.rollback()
    assert dump(session) == before


def test_a_refusal_names_the_line_of_the_file_not_of_the_script(session, tmp_path, clock):
    folder = _broken_folder(tmp_path, "script", "x = 1\ny = 2\nimport os")
    with pytest.raises(DeployError, match=r"^follow_up.bpmn, line 24, element rate_visit: script: "
                                          r"'import' is not allowed in model scripts$"):
        deploy_directory(session, folder, now=clock())


@pytest.mark.parametrize(("code", "reason"), [
    ("now = '2026-01-01'", "cannot assign to now: the name of a script helper"),
    ("x = type(items)", "'type' is not allowed"),
    ("x = date.today()", "use now() or today()"),
    ("x = '{0.__class__}'.format(items)", "'.format' is not allowed"),
])
def test_deploy_refuses_what_would_only_have_failed_when_the_script_ran(session, tmp_path, clock, code,
                                                                        reason):
    folder = _broken_folder(tmp_path, "script", code)
    with pytest.raises(DeployError, match=re.escape(reason)):
        deploy_directory(session, folder, now=clock())


def test_every_kind_of_model_code_is_found(tmp_path):
    bpmn = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:scriptTask id="calc"><bpmn:extensionElements>
      <spiffworkflow:preScript>a = 1</spiffworkflow:preScript>
      <spiffworkflow:postScript>b = 2</spiffworkflow:postScript></bpmn:extensionElements>
      <bpmn:script>c = 3</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="each"><bpmn:multiInstanceLoopCharacteristics id="loop">
      <bpmn:loopCardinality>n</bpmn:loopCardinality><bpmn:completionCondition>done</bpmn:completionCondition>
    </bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:conditionalEventDefinition id="cd">
      <bpmn:condition>ready</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="tick"><bpmn:timerEventDefinition id="td">
      <bpmn:timeCycle>"R2/PT1H"</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:intermediateThrowEvent id="send"><bpmn:messageEventDefinition id="md" messageRef="m">
      <bpmn:extensionElements><spiffworkflow:messagePayload>{"x": x}</spiffworkflow:messagePayload>
      </bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="go" sourceRef="calc" targetRef="each">
      <bpmn:conditionExpression>ok</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>"""
    found = [(c.element, c.what, c.mode, c.source) for c in model_code([SourceFile("bpmn", "p.bpmn", bpmn)])]
    assert found == [
        ("calc", "pre-script", "exec", "a = 1"), ("calc", "post-script", "exec", "b = 2"),
        ("calc", "script", "exec", "c = 3"), ("each", "loop cardinality", "eval", "n"),
        ("each", "completion condition", "eval", "done"), ("wait", "condition", "eval", "ready"),
        ("tick", "timer cycle", "eval", '"R2/PT1H"'), ("send", "message payload", "eval", '{"x": x}'),
        ("go", "condition", "eval", "ok")]


def test_dmn_input_entries_are_checked_as_the_dmn_engine_evaluates_them():
    dmn = SourceFile("dmn", "discount_level.dmn", (MODELS / "discount_level.dmn").read_text())
    found = [(c.element, c.source) for c in model_code([dmn])]
    assert ("discount_level_rule_1_in_1", "amount>= 1000") in found
    assert ("discount_level_rule_2_in_1", "100 <= dmninputexpr < 1000") in found
    assert ("discount_level_rule_1_out_1", '"high"') in found
