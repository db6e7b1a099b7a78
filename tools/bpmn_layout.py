"""Write `bpmn/*.bpmn` and `bpmn/*.dmn` from the compact sources in `workflows/model_sources/`.

Diagram interchange is computed, not drawn: every lane is a horizontal band of grid rows, every
node sits in a (column, row) cell of its lane, boundary events sit on the bottom edge of their task,
and every flow is routed with orthogonal waypoints between the cells. Regenerating after a change
keeps the diagrams tidy and the committed files reviewable.

    python tools/bpmn_layout.py            # rewrite the models
    python tools/bpmn_layout.py --check    # exit 1 if a committed model is out of date
"""
from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.bpmn import POINT_OF_NO_RETURN  # noqa: E402
from workflows.model_sources import Decision, Flow, Node, ProcessSource  # noqa: E402
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

POOL_X, POOL_Y, HEADER, PAD = 100, 60, 30, 20
COL_W, ROW_H = 160, 140
SIZES = {"user": (120, 80), "script": (120, 80), "rule": (120, 80), "xor": (50, 50), "and": (50, 50),
         "or": (50, 50), "start": (36, 36), "end": (36, 36), "timer": (36, 36), "boundary": (36, 36),
         "call": (120, 80)}
GATEWAYS = {"xor", "and", "or"}
TAGS = {"start": "startEvent", "end": "endEvent", "user": "userTask", "script": "scriptTask",
        "rule": "businessRuleTask", "xor": "exclusiveGateway", "and": "parallelGateway",
        "or": "inclusiveGateway", "timer": "intermediateCatchEvent", "boundary": "boundaryEvent",
        "call": "callActivity"}

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, other: "Box") -> bool:
        return (self.x < other.right and other.x < self.right
                and self.y < other.bottom and other.y < self.bottom)

    def crossed_by(self, a: Point, b: Point) -> bool:
        """Does the axis-parallel segment a-b run through the inside of this box?"""
        (x1, y1), (x2, y2) = a, b
        if y1 == y2:
            return self.y < y1 < self.bottom and max(min(x1, x2), self.x) < min(max(x1, x2), self.right)
        return self.x < x1 < self.right and max(min(y1, y2), self.y) < min(max(y1, y2), self.bottom)


@dataclass
class Layout:
    pool: Box
    lanes: dict[str, Box]
    shapes: dict[str, Box]
    edges: dict[str, list[Point]]


class _Grid:
    """Cell geometry of one process: columns left to right, lane rows top to bottom."""

    def __init__(self, process: ProcessSource) -> None:
        self.cols = int(max(n.col for n in process.nodes if n.kind != "boundary")) + 1
        self.width = 2 * HEADER + PAD * 2 + self.cols * COL_W
        self.lane_top: dict[str, float] = {}
        y = POOL_Y
        for lane in process.lanes:
            self.lane_top[lane.role] = y
            y += lane.rows * ROW_H
        self.height = y - POOL_Y
        self.rows = {lane.role: lane.rows for lane in process.lanes}

    def x_center(self, col: float) -> float:
        return POOL_X + 2 * HEADER + PAD + col * COL_W + COL_W / 2

    def col_left(self, col: float) -> float:
        return self.x_center(col) - COL_W / 2

    def row_top(self, node: Node) -> float:
        return self.lane_top[node.lane] + node.row * ROW_H

    def row_bottom(self, node: Node) -> float:
        return self.row_top(node) + ROW_H


def lay_out(process: ProcessSource) -> Layout:
    nodes = {n.id: n for n in process.nodes}
    grid = _Grid(process)
    shapes: dict[str, Box] = {}
    for n in process.nodes:
        if n.kind == "boundary":
            continue
        w, h = SIZES[n.kind]
        cx, cy = grid.x_center(n.col), grid.row_top(n) + ROW_H / 2
        shapes[n.id] = Box(cx - w / 2, cy - h / 2, w, h)
    for n in process.nodes:
        if n.kind == "boundary":
            host = shapes[n.attached_to]
            cx = host.right - 25 - 40 * n.slot
            shapes[n.id] = Box(cx - 18, host.bottom - 18, 36, 36)
    pool = Box(POOL_X, POOL_Y, grid.width, grid.height)
    lanes = {role: Box(POOL_X + HEADER, top, grid.width - HEADER, grid.rows[role] * ROW_H)
             for role, top in grid.lane_top.items()}
    edges = {f.id: _route(f, nodes, shapes, grid) for f in process.flows}
    return Layout(pool, lanes, shapes, edges)


def _route(flow: Flow, nodes: dict[str, Node], shapes: dict[str, Box], grid: _Grid) -> list[Point]:
    s, t = nodes[flow.source], nodes[flow.target]
    S, T = shapes[s.id], shapes[t.id]
    if s.kind == "boundary":
        host = nodes[s.attached_to]
        if T.x <= S.cx <= T.right and T.y > S.bottom:
            return [(S.cx, S.bottom), (S.cx, T.y)]
        y1 = grid.row_bottom(host) - 6
        xg = grid.col_left(host.col) + COL_W
        return _clean([(S.cx, S.bottom), (S.cx, y1), (xg, y1), (xg, T.cy), (T.x, T.cy)])
    if T.x >= S.right:
        if abs(S.cy - T.cy) < 1:
            return [(S.right, S.cy), (T.x, T.cy)]
        if t.kind in GATEWAYS:
            return [(S.right, S.cy), (T.cx, S.cy), (T.cx, T.bottom if T.cy < S.cy else T.y)]
        if s.kind in GATEWAYS:
            return [(S.cx, S.y if T.cy < S.cy else S.bottom), (S.cx, T.cy), (T.x, T.cy)]
        xm = grid.col_left(t.col)
        return [(S.right, S.cy), (xm, S.cy), (xm, T.cy), (T.x, T.cy)]
    if T.cy < S.cy - 1:
        yb = grid.row_bottom(t) + (10 if flow.detour else -10)
        return [(S.cx, S.y), (S.cx, yb), (T.cx, yb), (T.cx, T.bottom)]
    if T.cy > S.cy + 1:
        yt = grid.row_top(t) + 10
        return [(S.cx, S.bottom), (S.cx, yt), (T.cx, yt), (T.cx, T.y)]
    yb = grid.row_bottom(s) - 10 - 10 * flow.detour
    return [(S.cx, S.bottom), (S.cx, yb), (T.cx, yb), (T.cx, T.bottom)]


def _clean(points: list[Point]) -> list[Point]:
    return [p for i, p in enumerate(points) if i == 0 or points[i - 1] != p]


def crossings(process: ProcessSource, layout: Layout) -> list[str]:
    """Flows that run through a shape other than their own ends: a readability check."""
    nodes = {n.id: n for n in process.nodes}
    problems = []
    for f in process.flows:
        ends = {f.source, f.target, nodes[f.source].attached_to}
        points = layout.edges[f.id]
        for node_id, box in layout.shapes.items():
            if node_id in ends or nodes[node_id].attached_to in (f.source, f.target):
                continue
            if any(box.crossed_by(a, b) for a, b in zip(points, points[1:])):
                problems.append(f"{process.key}: {f.id} crosses {node_id}")
    return problems


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
