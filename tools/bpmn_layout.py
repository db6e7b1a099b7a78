"""Write `bpmn/*.bpmn` and `bpmn/*.dmn` from the compact sources in `workflows/model_sources/`.

Diagram interchange is computed, not drawn (`tools/diagram_grid.py` places the shapes and routes
the flows), so regenerating after a change keeps the diagrams tidy and the committed files
reviewable.

    python tools/bpmn_layout.py            # rewrite the models
    python tools/bpmn_layout.py --check    # exit 1 if a committed model is out of date
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.bpmn import POINT_OF_NO_RETURN  # noqa: E402
from tools.diagram_grid import GATEWAYS, Box, Layout, crossings, lay_out  # noqa: E402
from workflows.model_sources import Decision, Node, ProcessSource  # noqa: E402
from workflows.model_sources.decisions import DECISIONS  # noqa: E402

PROCESS_MODULES = ("complaint_handling", "product_return", "store_opening", "new_product_launch",
                   "ship_goods", "stock_transfer", "franchise_order", "expense_claim", "store_inspection",
                   "monthly_stocktake")
BPMN_DIR = ROOT / "bpmn"

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMNDI = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
DMN_DC = "http://www.omg.org/spec/DMN/20180521/DC/"

TAGS = {"start": "startEvent", "end": "endEvent", "user": "userTask", "script": "scriptTask",
        "rule": "businessRuleTask", "xor": "exclusiveGateway", "and": "parallelGateway",
        "or": "inclusiveGateway", "timer": "intermediateCatchEvent", "boundary": "boundaryEvent",
        "call": "callActivity"}


# -- BPMN XML ----------------------------------------------------------------------------------


def _el(parent: etree._Element, ns: str, tag: str, text: str | None = None,
        **attrs: object) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}",
                               {k.replace("__", ":"): str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _formal(parent: etree._Element, tag: str, text: str) -> None:
    _el(parent, BPMN, tag, text).set(f"{{{XSI}}}type", "bpmn:tFormalExpression")


def _properties(n: Node) -> dict[str, str]:
    props = {}
    if n.form:
        props["formJsonSchemaFilename"] = n.form
    if n.due is not None:
        props["dueInHours"] = f"{n.due:g}"
    if n.priority is not None:
        props["priority"] = str(n.priority)
    if n.outcome:
        props["outcome"] = n.outcome
    if n.no_return:
        props[POINT_OF_NO_RETURN] = "true"
    if n.multi and n.multi.approval_mode:
        props["approvalMode"] = n.multi.approval_mode
        if n.multi.approver_role:
            props["approverRole"] = n.multi.approver_role
    if n.assignee:
        props["assignee"] = n.assignee
    if n.cc:
        props["cc"] = n.cc
    props.update(n.start_for)
    return props


def _flow_node(proc: etree._Element, n: Node, process: ProcessSource) -> None:
    attrs: dict[str, object] = {"id": n.id, "name": n.name or None}
    if n.kind == "boundary":
        attrs.update(attachedToRef=n.attached_to, cancelActivity="true" if n.interrupting else "false")
    if n.kind in GATEWAYS:
        default = [f.id for f in process.flows if f.source == n.id and f.default]
        attrs["default"] = default[0] if default else None
    attrs["calledElement"] = n.called
    element = _el(proc, BPMN, TAGS[n.kind], **attrs)
    if n.doc:
        _el(element, BPMN, "documentation", n.doc)
    props = _properties(n)
    if props or n.decision or n.pre_script or n.post_script:
        ext = _el(element, BPMN, "extensionElements")
        if n.decision:
            _el(ext, SPIFF, "calledDecisionId", n.decision)
        if props:
            holder = _el(ext, SPIFF, "properties")
            for name, value in props.items():
                _el(holder, SPIFF, "property", name=name, value=value)
        if n.pre_script:
            _el(ext, SPIFF, "preScript", n.pre_script)
        if n.post_script:
            _el(ext, SPIFF, "postScript", n.post_script)
    for f in process.flows:
        if f.target == n.id:
            _el(element, BPMN, "incoming", f.id)
    for f in process.flows:
        if f.source == n.id:
            _el(element, BPMN, "outgoing", f.id)
    if n.multi:
        mi = _el(element, BPMN, "multiInstanceLoopCharacteristics",
                 isSequential="true" if n.multi.sequential else "false")
        if n.multi.scripts_on_instances:
            mi.set(f"{{{SPIFF}}}scriptsOnInstances", "true")
        _el(mi, BPMN, "loopDataInputRef", n.multi.collection)
        if n.multi.output:
            _el(mi, BPMN, "loopDataOutputRef", n.multi.output)
        _el(mi, BPMN, "inputDataItem", id=n.multi.item, name=n.multi.item)
        if n.multi.output_item:
            _el(mi, BPMN, "outputDataItem", id=n.multi.output_item, name=n.multi.output_item)
        if n.multi.condition:
            _formal(mi, "completionCondition", n.multi.condition)
    if n.script:
        _el(element, BPMN, "script", n.script)
    if n.message:
        _el(element, BPMN, "messageEventDefinition", id=f"{n.id}_message", messageRef=n.message)
    if n.timer:
        definition = _el(element, BPMN, "timerEventDefinition", id=f"{n.id}_timer")
        _formal(definition, n.timer[0], n.timer[1])
    if n.terminate:
        _el(element, BPMN, "terminateEventDefinition", id=f"{n.id}_terminate")


def _label(parent: etree._Element, x: float, y: float, w: float, h: float) -> None:
    _bounds(_el(parent, BPMNDI, "BPMNLabel"), Box(x, y, w, h))


def _bounds(parent: etree._Element, box: Box) -> None:
    _el(parent, DC, "Bounds", x=round(box.x), y=round(box.y), width=round(box.w), height=round(box.h))


def _diagram(root: etree._Element, process: ProcessSource, layout: Layout) -> None:
    diagram = _el(root, BPMNDI, "BPMNDiagram", id=f"diagram_{process.key}")
    plane = _el(diagram, BPMNDI, "BPMNPlane", id=f"plane_{process.key}",
                bpmnElement=f"collaboration_{process.key}")
    _bounds(_el(plane, BPMNDI, "BPMNShape", id=f"participant_{process.key}_di",
                bpmnElement=f"participant_{process.key}", isHorizontal="true"), layout.pool)
    for role, box in layout.lanes.items():
        _bounds(_el(plane, BPMNDI, "BPMNShape", id=f"lane_{role}_di", bpmnElement=f"lane_{role}",
                    isHorizontal="true"), box)
    for n in process.nodes:
        box = layout.shapes[n.id]
        shape = _el(plane, BPMNDI, "BPMNShape", id=f"{n.id}_di", bpmnElement=n.id,
                    isMarkerVisible="true" if n.kind == "xor" else None)
        _bounds(shape, box)
        if n.name and n.kind in GATEWAYS:  # upper right: flows enter and leave through the vertices
            _label(shape, box.cx + 10, box.y - 18, max(40, 13 * len(n.name) + 6), 14)
        elif n.name and n.kind not in ("user", "script", "rule", "call"):
            width = max(40, 13 * len(n.name) + 6)
            _label(shape, box.cx - width / 2, box.bottom + 6, width, 14)
    for f in process.flows:
        edge = _el(plane, BPMNDI, "BPMNEdge", id=f"{f.id}_di", bpmnElement=f.id)
        points = layout.edges[f.id]
        for x, y in points:
            _el(edge, DI, "waypoint", x=round(x), y=round(y))
        if f.name:
            (x1, y1), (x2, y2) = points[0], points[1]
            width = 13 * len(f.name) + 6
            if x1 == x2:
                _label(edge, x1 + 4, (y1 + y2) / 2 - 7, width, 14)
            else:
                _label(edge, min(x1, x2) + 6, y1 - 18, width, 14)


def bpmn_xml(process: ProcessSource) -> bytes:
    layout = lay_out(process)
    nsmap = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "spiffworkflow": SPIFF, "xsi": XSI}
    root = etree.Element(f"{{{BPMN}}}definitions", nsmap=nsmap, id=f"definitions_{process.key}",
                         targetNamespace="http://bpmn.io/schema/bpmn",
                         exporter="OpsFlow tools/bpmn_layout.py", exporterVersion="1")
    collaboration = _el(root, BPMN, "collaboration", id=f"collaboration_{process.key}")
    _el(collaboration, BPMN, "participant", id=f"participant_{process.key}", name=process.name,
        processRef=process.key)
    proc = _el(root, BPMN, "process", id=process.key, name=process.name, isExecutable="true")
    _el(proc, BPMN, "documentation", process.doc)
    lane_set = _el(proc, BPMN, "laneSet", id=f"laneset_{process.key}")
    nodes = {n.id: n for n in process.nodes}
    for lane in process.lanes:
        element = _el(lane_set, BPMN, "lane", id=f"lane_{lane.role}", name=lane.role)
        for n in process.nodes:
            if (nodes[n.attached_to].lane if n.attached_to else n.lane) == lane.role:
                _el(element, BPMN, "flowNodeRef", n.id)
    for n in process.nodes:
        _flow_node(proc, n, process)
    for f in process.flows:
        flow = _el(proc, BPMN, "sequenceFlow", id=f.id, name=f.name or None, sourceRef=f.source,
                   targetRef=f.target)
        if f.condition:
            _formal(flow, "conditionExpression", f.condition)
    for message in sorted({n.message for n in process.nodes if n.message}):
        _el(root, BPMN, "message", id=message, name=message)
    _diagram(root, process, layout)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def dmn_xml(decision: Decision) -> bytes:
    nsmap = {None: DMN, "dmndi": DMNDI, "dc": DMN_DC}
    root = etree.Element(f"{{{DMN}}}definitions", nsmap=nsmap, id=f"definitions_{decision.id}",
                         name=decision.name, namespace="http://opsflow.example/dmn")
    element = _el(root, DMN, "decision", id=decision.id, name=decision.name)
    if decision.doc:
        _el(element, DMN, "description", decision.doc)
    table = _el(element, DMN, "decisionTable", id=f"{decision.id}_table", hitPolicy=decision.hit_policy)
    for i, (label, expression, type_ref) in enumerate(decision.inputs, 1):
        item = _el(table, DMN, "input", id=f"{decision.id}_input_{i}", label=label)
        expr = _el(item, DMN, "inputExpression", id=f"{decision.id}_input_{i}_expression", typeRef=type_ref)
        _el(expr, DMN, "text", expression)
    for i, (label, name, type_ref) in enumerate(decision.outputs, 1):
        _el(table, DMN, "output", id=f"{decision.id}_output_{i}", label=label, name=name, typeRef=type_ref)
    for r, row in enumerate(decision.rules, 1):
        rule = _el(table, DMN, "rule", id=f"{decision.id}_rule_{r}")
        _el(rule, DMN, "description", row.description)
        for i, text in enumerate(row.inputs, 1):
            _el(_el(rule, DMN, "inputEntry", id=f"{decision.id}_rule_{r}_in_{i}"), DMN, "text", text)
        for i, text in enumerate(row.outputs, 1):
            _el(_el(rule, DMN, "outputEntry", id=f"{decision.id}_rule_{r}_out_{i}"), DMN, "text", text)
    dmndi = _el(_el(root, DMNDI, "DMNDI"), DMNDI, "DMNDiagram", id=f"{decision.id}_diagram")
    shape = _el(dmndi, DMNDI, "DMNShape", id=f"{decision.id}_di", dmnElementRef=decision.id)
    _el(shape, DMN_DC, "Bounds", height=80, width=180, x=160, y=100)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def processes() -> list[ProcessSource]:
    return [importlib.import_module(f"workflows.model_sources.{name}").PROCESS for name in PROCESS_MODULES]


def outputs() -> dict[Path, bytes]:
    files = {BPMN_DIR / f"{p.key}.bpmn": bpmn_xml(p) for p in processes()}
    files.update({BPMN_DIR / f"{d.id}.dmn": dmn_xml(d) for d in DECISIONS})
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report models that are out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, content in outputs().items():
        if path.exists() and path.read_bytes() == content:
            continue
        stale.append(path)
        if not args.check:
            path.write_bytes(content)
    for process in processes():
        for problem in crossings(process, lay_out(process)):
            print("warning:", problem, file=sys.stderr)
    verb = "out of date" if args.check else "written"
    for path in stale:
        print(f"{verb}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
