"""The lint of the shipped models against docs/modelling.md: they pass it, and each of its rules fails
on a model that breaks it, naming the element."""
from __future__ import annotations

import re
import shutil

import pytest

from workflows import BPMN_DIR, FORMS_DIR
from workflows.model_lint import lint_model, lint_shipped, main

KEY = "product_return"
XML = (BPMN_DIR / f"{KEY}.bpmn").read_text("utf-8")


def test_the_shipped_models_pass_the_lint(capsys):
    assert [str(p) for p in lint_shipped()] == []
    assert main() == 0 and "0 problem(s) in 10 models" in capsys.readouterr().out


def prop(element: str, name: str, value: str | None, xml: str = XML) -> str:
    """The model with property `name` of `element` set to `value` (None: removed)."""
    start = xml.index(f'id="{element}"')
    end = xml.index("</bpmn:extensionElements>", start)
    block = xml[start:end]
    pattern = re.compile(rf'\s*<spiffworkflow:property name="{name}" value="[^"]*"/>')
    new = pattern.sub("" if value is None else f'<spiffworkflow:property name="{name}" value="{value}"/>',
                      block, count=1)
    if new == block and value is not None:
        added = f'<spiffworkflow:property name="{name}" value="{value}"/>'
        new = block.replace("<spiffworkflow:properties>", f"<spiffworkflow:properties>{added}", 1)
    return xml[:start] + new + xml[end:]


@pytest.fixture
def forms(tmp_path):
    target = tmp_path / KEY
    shutil.copytree(FORMS_DIR / KEY, target)
    return target


@pytest.mark.parametrize("xml, element, rule", [
    (prop("cs_review", "nameEn", None), "cs_review", "name_en_missing"),
    (prop("review_ok", "nameEn", None), "review_ok", "name_en_missing"),  # a gateway too
    (prop("cs_review", "dueInHours", None), "cs_review", "due_hours_missing"),
    (prop("cs_review", "dueInHours", "soon"), "cs_review", "due_hours_invalid"),
    (prop("cs_review", "priority", "0"), "cs_review", "priority_invalid"),
    (prop("cs_review", "formJsonSchemaFilename", None), "cs_review", "form_missing"),
    (prop("cs_review", "formJsonSchemaFilename", "nowhere.json"), "cs_review", "form_not_found"),
    (prop("end_credited", "outcome", "vanished"), "end_credited", "outcome_unknown"),
    (prop("end_credited", "outcome", None), "end_credited", "outcome_unknown"),
    (prop(KEY, "titleTemplate", "{no_such_field}"), KEY, "title_field_unknown"),
    (prop(KEY, "starterRoles", "store_manager, wizard"), KEY, "role_unknown"),
    (prop(KEY, "businessKeyPrefix", None), KEY, "process_property_missing"),
    (prop(KEY, "businessKeyPrefix", "rt"), KEY, "key_prefix_invalid"),
    (XML.replace('name="cs_agent"', 'name="helpdesk"', 1), "lane_cs_agent", "lane_not_role"),
    (XML.replace('id="lane_cs_agent"', 'id="lane_cs"', 1), "lane_cs", "lane_id"),
])
def test_each_rule_fails_on_a_model_that_breaks_it(forms, xml, element, rule):
    assert xml != XML
    found = [(p.element, p.rule) for p in lint_model(KEY, xml, forms)]
    assert (element, rule) in found


def test_a_form_that_is_missing_invalid_or_unused_is_named(forms):
    (forms / "cs_review.json").write_text('{"type": "object", "properties": {"x": {"type": "nonsense"}}}')
    (forms / "stray.json").write_text('{"type": "object"}')
    found = {(p.filename, p.element, p.rule) for p in lint_model(KEY, XML, forms)}
    assert (f"{KEY}.bpmn", "cs_review", "form_invalid") in found
    assert (f"{KEY}/stray.json", None, "form_unused") in found


def test_a_side_branch_end_event_says_no_outcome(forms):
    side = next(m.group(1) for m in re.finditer(r'<bpmn:endEvent id="([^"]+)"', XML)
                if 'name="outcome"' not in XML[m.start():XML.index("</bpmn:endEvent>", m.start())])
    found = [(p.element, p.rule) for p in lint_model(KEY, prop(side, "outcome", "closed"), forms)]
    assert (side, "outcome_on_branch") in found
