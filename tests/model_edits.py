"""Edited copies of the shipped complaint handling model, for the tests that deploy a second version
and compare it with the first (engine, API, admin page, browser).

Each edit is a plain text replacement on the shipped file that must find its target, so a change to
the shipped model that moves the target fails here loudly instead of making a test pass on nothing.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BPMN = REPO / "bpmn" / "complaint_handling.bpmn"
FORMS = REPO / "workflows" / "forms" / "complaint_handling"
DMNS = ("complaint_triage.dmn", "compensation_approval.dmn")
REVIEW_FORM = {"title": "店长复核", "type": "object", "required": ["review_note"],
               "properties": {"review_note": {"type": "string", "title": "复核意见", "maxLength": 500}}}


def shipped() -> dict[str, str]:
    """The shipped files of complaint_handling, by file name: the model, its decision tables, its forms."""
    files = {BPMN.name: BPMN.read_text("utf-8")}
    files.update({name: (REPO / "bpmn" / name).read_text("utf-8") for name in DMNS})
    files.update({f.name: f.read_text("utf-8") for f in sorted(FORMS.glob("*.json"))})
    return files


def replace(text: str, old: str, new: str, count: int = 1) -> str:
    assert text.count(old) >= count, f"not in the shipped model: {old[:80]!r}"
    return text.replace(old, new, count)


def add_review_step(bpmn: str) -> str:
    """A store manager's review step (form review.json) between the store's investigation and the
    gateway after it, drawn beside the investigation."""
    bpmn = replace(bpmn, '<bpmn:flowNodeRef>investigate_store</bpmn:flowNodeRef>',
                   '<bpmn:flowNodeRef>investigate_store</bpmn:flowNodeRef>\n'
                   '        <bpmn:flowNodeRef>review_store</bpmn:flowNodeRef>')
    bpmn = replace(bpmn, '    <bpmn:userTask id="investigate_merch"', '''\
    <bpmn:userTask id="review_store" name="店长复核">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="nameEn" value="Store manager review"/>
          <spiffworkflow:property name="formJsonSchemaFilename" value="review.json"/>
          <spiffworkflow:property name="dueInHours" value="8"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>flow_investigate_store_to_investigation_done</bpmn:incoming>
      <bpmn:outgoing>flow_review_store_to_investigation_done</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="investigate_merch"''')
    bpmn = replace(bpmn, '<bpmn:incoming>flow_investigate_store_to_investigation_done</bpmn:incoming>\n'
                         '      <bpmn:incoming>flow_investigate_merch',
                   '<bpmn:incoming>flow_review_store_to_investigation_done</bpmn:incoming>\n'
                   '      <bpmn:incoming>flow_investigate_merch')
    bpmn = replace(bpmn, 'sourceRef="investigate_store" targetRef="investigation_done"/>',
                   'sourceRef="investigate_store" targetRef="review_store"/>\n'
                   '    <bpmn:sequenceFlow id="flow_review_store_to_investigation_done" '
                   'sourceRef="review_store" targetRef="investigation_done"/>')
    bpmn = replace(bpmn, '      <bpmndi:BPMNShape id="investigate_merch_di"', '''\
      <bpmndi:BPMNShape id="review_store_di" bpmnElement="review_store">
        <dc:Bounds x="1460" y="370" width="120" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_review_store_to_investigation_done_di"
                       bpmnElement="flow_review_store_to_investigation_done">
        <di:waypoint x="1520" y="370"/>
        <di:waypoint x="1540" y="155"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNShape id="investigate_merch_di"''')
    return bpmn


def remove_init_case(bpmn: str) -> str:
    """The script step `init_case` gone: the triage's flow goes straight to the quality split."""
    bpmn = replace(bpmn, '        <bpmn:flowNodeRef>init_case</bpmn:flowNodeRef>\n', '')
    bpmn = re.sub(r'    <bpmn:scriptTask id="init_case".*?</bpmn:scriptTask>\n', '', bpmn, count=1,
                  flags=re.S)
    bpmn = replace(bpmn, '<bpmn:incoming>flow_init_case_to_quality_split</bpmn:incoming>',
                   '<bpmn:incoming>flow_triage_to_init_case</bpmn:incoming>')
    bpmn = replace(bpmn, 'sourceRef="triage" targetRef="init_case"',
                   'sourceRef="triage" targetRef="quality_split"')
    bpmn = re.sub(r'    <bpmn:sequenceFlow id="flow_init_case_to_quality_split"[^>]*/>\n', '', bpmn, count=1)
    bpmn = re.sub(r'      <bpmndi:BPMNShape id="init_case_di".*?</bpmndi:BPMNShape>\n', '', bpmn, count=1,
                  flags=re.S)
    return re.sub(r'      <bpmndi:BPMNEdge id="flow_init_case_to_quality_split_di".*?</bpmndi:BPMNEdge>\n',
                  '', bpmn, count=1, flags=re.S)


def version_two() -> dict[str, str]:
    """The files that change in the version 2 the diff tests deploy: a new review step with its new form,
    `init_case` removed, the customer follow-up renamed with 48 due hours and an English name, a
    flow condition and a script changed, a field added to the investigation form, and the triage's
    product-quality threshold lowered from 5000 to 3000."""
    files = shipped()
    bpmn = remove_init_case(add_review_step(files[BPMN.name]))
    bpmn = replace(bpmn, '<bpmn:userTask id="customer_follow_up" name="客户回访">',
                   '<bpmn:userTask id="customer_follow_up" name="客户电话回访">')
    form = '<spiffworkflow:property name="formJsonSchemaFilename" value="customer_follow_up.json"/>\n'
    bpmn = replace(bpmn, form + '          <spiffworkflow:property name="dueInHours" value="24"/>',
                   form + '          <spiffworkflow:property name="dueInHours" value="48"/>')
    bpmn = replace(bpmn, '<spiffworkflow:property name="nameEn" value="Follow up with customer"/>',
                   '<spiffworkflow:property name="nameEn" value="Call the customer back"/>')
    bpmn = replace(bpmn, 'handler_role == "store_manager"', 'handler_role in ("store_manager",)')
    bpmn = replace(bpmn, '<bpmn:script>sla_due_at = add_hours(now(), sla_hours)</bpmn:script>',
                   '<bpmn:script>sla_due_at = add_hours(now(), sla_hours + 1)</bpmn:script>')
    investigate = json.loads(files["investigate.json"])
    investigate["properties"]["batch_no"] = {"type": "string", "title": "批次号", "maxLength": 40}
    triage = replace(files["complaint_triage.dmn"], "<text>&gt;= 5000</text>", "<text>&gt;= 3000</text>")
    return {BPMN.name: bpmn, "review.json": json.dumps(REVIEW_FORM, ensure_ascii=False),
            "investigate.json": json.dumps(investigate, ensure_ascii=False), "complaint_triage.dmn": triage}
