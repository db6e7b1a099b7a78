"""The difference between two versions of a process, from their stored files: each kind of change
(element added, removed, renamed, a property, type, lane, flow, condition, script, timer, form field,
decision row) found and nothing else; identical versions give an empty diff; the order is fixed."""
from __future__ import annotations

import json

import pytest

from engine.bpmn import ADDED, CHANGED, REMOVED, SourceFile, Upload, deploy_uploads, diff_versions
from engine.errors import NotFound, PermissionDenied
from engine.queries import version_diff, version_list
from tests.model_edits import BPMN, add_review_step, remove_init_case, replace, shipped, version_two

KEY = "complaint_handling"


def kind(name: str) -> str:
    return {"bpmn": "bpmn", "dmn": "dmn", "json": "form"}[name.rsplit(".", 1)[1]]


def sources(files: dict[str, str]) -> list[SourceFile]:
    return [SourceFile(kind(name), name, text) for name, text in files.items()]


def diff(**changed: str):
    """Version 1 (shipped) against a version 2 where the named files are replaced (dots as __)."""
    old = shipped()
    new = {**old, **{name.replace("__", "."): text for name, text in changed.items()}}
    return diff_versions(KEY, 1, 2, sources(old), sources(new))


def changes_of(result, element_id: str) -> dict[str, tuple[str | None, str | None]]:
    [element] = [e for e in result.elements if e.element_id == element_id]
    return {c.aspect: (c.old, c.new) for c in element.changes}


def bpmn_edit(old: str, new: str):
    return diff(complaint_handling__bpmn=replace(shipped()[BPMN.name], old, new))


def test_identical_versions_differ_in_nothing():
    result = diff()
    assert result.empty and result.to_dict()["empty"] is True
    assert result.elements == () and result.forms == () and result.decisions == () and result.files == ()


def test_moving_a_shape_is_not_a_change():
    assert bpmn_edit('<dc:Bounds x="1320" y="370"', '<dc:Bounds x="1300" y="380"').empty


def test_a_renamed_step_and_its_properties():
    result = bpmn_edit('<spiffworkflow:property name="formJsonSchemaFilename" value="investigate.json"/>\n'
                       '          <spiffworkflow:property name="dueInHours" value="24"/>',
                       '<spiffworkflow:property name="formJsonSchemaFilename" value="review.json"/>\n'
                       '          <spiffworkflow:property name="dueInHours" value="36"/>\n'
                       '          <spiffworkflow:property name="priority" value="high"/>')
    assert [(e.status, e.element_id) for e in result.elements] == [(CHANGED, "investigate_store")]
    assert changes_of(result, "investigate_store") == {
        "property:dueInHours": ("24", "36"),
        "property:formJsonSchemaFilename": ("investigate.json", "review.json"),
        "property:priority": (None, "high")}
    renamed = bpmn_edit('<bpmn:userTask id="customer_follow_up" name="客户回访">',
                        '<bpmn:userTask id="customer_follow_up" name="客户电话回访">')
    assert changes_of(renamed, "customer_follow_up") == {"name": ("客户回访", "客户电话回访")}


def test_type_lane_condition_script_and_timer_changes():
    bpmn = shipped()[BPMN.name]
    start = bpmn.index('<bpmn:userTask id="customer_follow_up"')
    end = bpmn.index("</bpmn:userTask>", start) + len("</bpmn:userTask>")
    block = bpmn[start:end].replace("bpmn:userTask", "bpmn:manualTask")
    typed = diff(complaint_handling__bpmn=bpmn[:start] + block + bpmn[end:])
    assert changes_of(typed, "customer_follow_up")["type"] == ("userTask", "manualTask")
    moved = replace(shipped()[BPMN.name], '<bpmn:flowNodeRef>customer_follow_up</bpmn:flowNodeRef>\n', '')
    moved = replace(moved, '<bpmn:flowNodeRef>sla_merge</bpmn:flowNodeRef>',
                    '<bpmn:flowNodeRef>sla_merge</bpmn:flowNodeRef>\n'
                    '        <bpmn:flowNodeRef>customer_follow_up</bpmn:flowNodeRef>')
    assert changes_of(diff(complaint_handling__bpmn=moved), "customer_follow_up") == {
        "lane": ("cs_agent", "cs_manager")}
    condition = bpmn_edit('handler_role == "store_manager"', 'handler_role == "store_supervisor"')
    assert changes_of(condition, "flow_route_handler_to_investigate_store") == {
        "condition": ('handler_role == "store_manager"', 'handler_role == "store_supervisor"')}
    script = bpmn_edit("sla_hours)</bpmn:script>", "sla_hours * 2)</bpmn:script>")
    assert list(changes_of(script, "start_investigation")) == ["script"]
    timer = bpmn_edit("duration_hours(sla_hours)", "duration_hours(sla_hours * 2)")
    assert {e.element_id for e in timer.elements} >= {"sla_store"}
    assert list(changes_of(timer, "sla_store")) == ["timerEventDefinition"]


def test_an_added_step_and_a_removed_one_with_their_flows():
    result = diff(complaint_handling__bpmn=remove_init_case(add_review_step(shipped()[BPMN.name])))
    by_id = {e.element_id: e.status for e in result.elements}
    assert by_id == {"review_store": ADDED, "flow_review_store_to_investigation_done": ADDED,
                     "init_case": REMOVED, "flow_init_case_to_quality_split": REMOVED,
                     "flow_investigate_store_to_investigation_done": CHANGED, "investigation_done": CHANGED,
                     "flow_triage_to_init_case": CHANGED, "quality_split": CHANGED}
    added = changes_of(result, "review_store")
    assert added["lane"] == (None, "store_manager") and added["property:dueInHours"] == (None, "8")
    assert changes_of(result, "flow_investigate_store_to_investigation_done") == {
        "targetRef": ("investigation_done", "review_store")}
    assert changes_of(result, "quality_split")["incoming"] == ("flow_init_case_to_quality_split",
                                                              "flow_triage_to_init_case")
    removed = changes_of(result, "init_case")
    assert removed["script"][1] is None and removed["type"] == ("scriptTask", None)


def test_form_fields_added_removed_and_changed():
    form = json.loads(shipped()["investigate.json"])
    form["properties"]["batch_no"] = {"type": "string", "title": "批次号"}
    del form["properties"]["customer_phone"]
    form["properties"]["description"]["maxLength"] = 4000
    form["title"] = "调查"
    result = diff(investigate__json=json.dumps(form, ensure_ascii=False), review__json='{"type": "object"}')
    assert [(f.status, f.filename) for f in result.forms] == [(CHANGED, "investigate.json"),
                                                              (ADDED, "review.json")]
    investigate = result.forms[0]
    assert [(c.aspect, c.new) for c in investigate.changes] == [("title", "调查")]
    assert [(f.path, f.status) for f in investigate.fields] == [
        ("batch_no", ADDED), ("customer_phone", REMOVED), ("description", CHANGED)]
    assert [(c.aspect, c.old, c.new) for c in investigate.fields[2].changes] == [
        ("maxLength", "2000", "4000")]
    assert [c.aspect for c in result.files] == ["review.json"] and result.files[0].new == "form"


def test_nested_and_list_fields_and_required():
    old = {"type": "object", "properties": {"lines": {"type": "array", "items": {
        "type": "object", "properties": {"sku": {"type": "string"}}}}}}
    new = json.loads(json.dumps(old))
    new["properties"]["lines"]["items"]["properties"]["qty"] = {"type": "integer"}
    new["properties"]["lines"]["items"]["required"] = ["sku"]
    result = diff_versions(KEY, 1, 2, [SourceFile("form", "f.json", json.dumps(old))],
                           [SourceFile("form", "f.json", json.dumps(new))])
    assert [(f.path, f.status, [c.aspect for c in f.changes]) for f in result.forms[0].fields] == [
        ("lines[].qty", ADDED, ["type"]), ("lines[].sku", CHANGED, ["required"])]


def test_decision_rows_added_removed_and_changed():
    dmn = shipped()["complaint_triage.dmn"]
    changed = replace(dmn, "<text>&gt;= 5000</text>", "<text>&gt;= 3000</text>")
    result = diff(complaint_triage__dmn=changed)
    [decision] = result.decisions
    assert (decision.status, decision.decision_id, decision.file) == (CHANGED, "complaint_triage",
                                                                       "complaint_triage.dmn")
    [rule] = decision.rules
    assert (rule.status, rule.rule_id, rule.position) == (CHANGED, "complaint_triage_rule_1", 1)
    assert dict(rule.inputs) == {"category": '"product_quality"', "amount_claimed": ">= 3000"}
    assert [(c.aspect, c.old, c.new) for c in rule.changes] == [
        ("input:amount_claimed", ">= 5000", ">= 3000")]
    start, end = dmn.index('<rule id="complaint_triage_rule_2">'), dmn.index("</rule>", dmn.index(
        '<rule id="complaint_triage_rule_2">')) + len("</rule>")
    row = dmn[start:end]
    dropped = dmn[:start] + dmn[end:]
    [decision] = diff(complaint_triage__dmn=dropped).decisions
    assert [(r.status, r.rule_id, r.position) for r in decision.rules] == [
        (REMOVED, "complaint_triage_rule_2", 2)]
    added_row = row.replace("complaint_triage_rule_2", "complaint_triage_rule_x").replace("&gt;= 10000",
                                                                                         "&gt;= 20000")
    added = dmn.replace("</decisionTable>", added_row + "\n    </decisionTable>", 1)
    [decision] = diff(complaint_triage__dmn=added).decisions
    [rule] = decision.rules
    assert (rule.status, rule.rule_id) == (ADDED, "complaint_triage_rule_x")
    assert ("output:severity", None, '"critical"') in [(c.aspect, c.old, c.new) for c in rule.changes]
    renumbered = dmn.replace('<rule id="complaint_triage_rule_1">', '<rule id="r1">')
    [decision] = diff(complaint_triage__dmn=renumbered).decisions
    assert [(r.status, [(c.aspect, c.old, c.new) for c in r.changes]) for r in decision.rules] == [
        (CHANGED, [("id", "complaint_triage_rule_1", "r1")])]


def test_the_order_is_fixed_and_does_not_follow_the_order_files_come_in():
    old, new = shipped(), {**shipped(), **version_two()}
    first = diff_versions(KEY, 1, 2, sources(old), sources(new))
    again = diff_versions(KEY, 1, 2, list(reversed(sources(old))), list(reversed(sources(new))))
    assert first == again and first.to_dict() == again.to_dict()
    keys = [(e.file, 1 if e.type == "sequenceFlow" else 2 if e.type in ("lane", "process") else 0,
             e.element_id) for e in first.elements]
    assert keys == sorted(keys)
    assert [f.filename for f in first.forms] == sorted(f.filename for f in first.forms)
    assert first.elements[0].element_id == "customer_follow_up" and first.elements[-1].type == "sequenceFlow"


def test_two_deployed_versions_and_who_may_compare_them(session, people, root, clock):
    [one] = deploy_uploads(session, root, [Upload(n, t.encode()) for n, t in shipped().items()], clock())
    [two] = deploy_uploads(session, root, [Upload(n, t.encode()) for n, t in version_two().items()], clock(),
                           key=KEY)
    session.commit()
    assert (one.version, two.version, two.created) == (1, 2, True)
    result = version_diff(session, root, KEY, 1, 2)
    assert set(result.element_ids(ADDED)) == {"review_store", "flow_review_store_to_investigation_done"}
    assert set(result.element_ids(REMOVED)) == {"init_case", "flow_init_case_to_quality_split"}
    assert {"customer_follow_up", "flow_route_handler_to_investigate_store", "start_investigation"} <= set(
        result.element_ids(CHANGED))
    follow_up = changes_of(result, "customer_follow_up")
    assert follow_up["property:nameEn"] == ("Follow up with customer", "Call the customer back")
    assert follow_up["property:dueInHours"] == ("24", "48")
    assert [d.decision_id for d in result.decisions] == ["complaint_triage"]
    backwards = version_diff(session, root, KEY, 2, 1)
    assert set(backwards.element_ids(REMOVED)) == set(result.element_ids(ADDED))
    assert version_diff(session, root, KEY, 2, 2).empty
    listed = version_list(session, root, KEY)
    assert [(v.version, v.current) for v in listed] == [(2, True), (1, False)]
    assert ("form", "review.json") in listed[0].files and ("form", "review.json") not in listed[1].files
    assert listed[0].deployed_by == "root" and listed[0].to_dict()["files"][0].keys() == {"kind", "filename"}
    with pytest.raises(NotFound, match="no version 9"):
        version_diff(session, root, KEY, 1, 9)
    with pytest.raises(NotFound):
        version_diff(session, root, "nope", 1, 2)
    with pytest.raises(PermissionDenied):
        version_diff(session, people["director"], KEY, 1, 2)
    with pytest.raises(PermissionDenied):
        version_list(session, people["director"], KEY)


def test_a_called_processs_file_is_a_diagram_of_its_own_with_its_own_marks():
    from engine.bpmn.specs import SourceFile
    from engine.bpmn.version_diff import diff_versions
    called = SHARED_CALLEE
    old = [SourceFile("bpmn", "caller.bpmn", CALLER), SourceFile("bpmn", "callee.bpmn", called)]
    new = [SourceFile("bpmn", "caller.bpmn", CALLER),
           SourceFile("bpmn", "callee.bpmn", called.replace('name="Pack"', 'name="Pack it"'))]
    diff = diff_versions("caller", 1, 2, old, new)
    assert [(d.filename, d.in_old, d.in_new) for d in diff.diagrams] == [("caller.bpmn", True, True),
                                                                        ("callee.bpmn", True, True)]
    marks = diff.marks("callee.bpmn")
    assert marks["new"]["changed"] == ["pack"] == marks["old"]["changed"]
    assert diff.marks("caller.bpmn") == {"old": {"removed": [], "changed": []},
                                         "new": {"added": [], "changed": []}}
    only_new = diff_versions("caller", 1, 2, old[:1], new)
    assert [(d.filename, d.in_old, d.in_new) for d in only_new.diagrams] == [("caller.bpmn", True, True),
                                                                            ("callee.bpmn", False, True)]
    assert "pack" in only_new.marks("callee.bpmn")["new"]["added"]


CALLER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d1" targetNamespace="t">
  <bpmn:process id="caller" isExecutable="true">
    <bpmn:startEvent id="start" /><bpmn:callActivity id="call" calledElement="callee" />
  </bpmn:process>
</bpmn:definitions>"""
SHARED_CALLEE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d2" targetNamespace="t">
  <bpmn:process id="callee" isExecutable="true">
    <bpmn:startEvent id="begin" /><bpmn:userTask id="pack" name="Pack" />
  </bpmn:process>
</bpmn:definitions>"""
