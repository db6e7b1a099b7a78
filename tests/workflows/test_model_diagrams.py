"""The committed diagrams: complete and readable, read from the `.bpmn` files as a modeler opens them.
"""
from itertools import combinations

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from workflows import BPMN_DIR
from workflows.roles import TASK_ROLE_KEYS

KEYS = ("complaint_handling", "product_return", "store_opening", "new_product_launch")
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
FLOW_NODES = ("startEvent", "endEvent", "userTask", "scriptTask", "businessRuleTask", "exclusiveGateway",
              "parallelGateway", "inclusiveGateway", "intermediateCatchEvent", "boundaryEvent")


class Diagram:
    def __init__(self, key):
        self.root = etree.parse(str(BPMN_DIR / f"{key}.bpmn")).getroot()
        self.process = self.root.find("bpmn:process", NS)
        self.nodes = {e.get("id"): e for tag in FLOW_NODES for e in self.process.iterfind(f"bpmn:{tag}", NS)}
        self.flows = {f.get("id"): f for f in self.process.iterfind("bpmn:sequenceFlow", NS)}
        self.shapes = {}
        for shape in self.root.iterfind(".//bpmndi:BPMNShape", NS):
            b = shape.find("dc:Bounds", NS)
            box = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
            self.shapes[shape.get("bpmnElement")] = box
        self.edges = {e.get("bpmnElement"): [(float(p.get("x")), float(p.get("y")))
                                             for p in e.iterfind("di:waypoint", NS)]
                      for e in self.root.iterfind(".//bpmndi:BPMNEdge", NS)}
        self.lanes = {lane.get("id"): lane for lane in self.process.iterfind(".//bpmn:lane", NS)}

    def host(self, node_id):
        return self.nodes[node_id].get("attachedToRef")


@pytest.fixture(params=KEYS)
def diagram(request):
    return Diagram(request.param)


def overlap(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(outer, inner):
    return (outer[0] <= inner[0] and inner[0] + inner[2] <= outer[0] + outer[2]
            and outer[1] <= inner[1] and inner[1] + inner[3] <= outer[1] + outer[3])


@pytest.mark.parametrize("key", KEYS)
def test_models_are_valid_bpmn_and_parse(key):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(BPMN_DIR / f"{key}.bpmn"))
    parser.add_dmn_files(sorted(str(p) for p in BPMN_DIR.glob("*.dmn")))
    assert parser.get_spec(key).name == key


def test_every_flow_node_has_a_shape_and_every_flow_an_edge(diagram):
    assert set(diagram.nodes) <= set(diagram.shapes)
    assert set(diagram.flows) == set(diagram.edges)
    assert set(diagram.lanes) <= set(diagram.shapes)
    assert all(len(points) >= 2 for points in diagram.edges.values())


def test_no_two_shapes_overlap(diagram):
    clashes = []
    for a, b in combinations(diagram.nodes, 2):
        if a == diagram.host(b) or b == diagram.host(a):
            continue
        if overlap(diagram.shapes[a], diagram.shapes[b]):
            clashes.append((a, b))
    assert clashes == []
    lanes = [diagram.shapes[lane] for lane in diagram.lanes]
    assert not any(overlap(a, b) for a, b in combinations(lanes, 2))


def test_lanes_are_roles_stacked_as_bands_and_hold_their_shapes(diagram):
    tops = []
    for lane_id, lane in diagram.lanes.items():
        assert lane.get("name") in TASK_ROLE_KEYS and lane_id == f"lane_{lane.get('name')}"
        band = diagram.shapes[lane_id]
        tops.append(band[1])
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            node = ref.text
            if diagram.host(node):
                assert diagram.host(node) in {r.text for r in lane.iterfind("bpmn:flowNodeRef", NS)}
            else:
                assert inside(band, diagram.shapes[node]), f"{node} lies outside lane {lane_id}"
    assert tops == sorted(tops)
    refs = [r.text for lane in diagram.lanes.values() for r in lane.iterfind("bpmn:flowNodeRef", NS)]
    assert sorted(refs) == sorted(diagram.nodes)  # every node in exactly one lane


def test_edges_are_orthogonal_and_join_their_ends(diagram):
    for flow_id, points in diagram.edges.items():
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:])), flow_id
        flow = diagram.flows[flow_id]
        for point, end in ((points[0], flow.get("sourceRef")), (points[-1], flow.get("targetRef"))):
            x, y, w, h = diagram.shapes[end]
            on_edge = (abs(point[0] - x) < 1 or abs(point[0] - x - w) < 1 or abs(point[1] - y) < 1
                       or abs(point[1] - y - h) < 1)
            within = x - 1 <= point[0] <= x + w + 1 and y - 1 <= point[1] <= y + h + 1
            assert on_edge and within, (flow_id, end)


def test_flows_run_left_to_right_except_loops_back_into_a_merge(diagram):
    def centre(node):
        x, y, w, h = diagram.shapes[node]
        return x + w / 2

    for flow_id, flow in diagram.flows.items():
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        points = diagram.edges[flow_id]
        if centre(target) >= centre(source) or (len(points) == 2 and points[0][0] == points[1][0]):
            continue  # forward, or straight down from a boundary event to the task below it
        incoming = [f for f in diagram.flows.values() if f.get("targetRef") == target]
        assert diagram.nodes[target].tag.endswith("exclusiveGateway") and len(incoming) >= 2, flow_id


def test_flows_do_not_run_through_other_shapes(diagram):
    crossed = []
    for flow_id, points in diagram.edges.items():
        flow = diagram.flows[flow_id]
        ends = {flow.get("sourceRef"), flow.get("targetRef"), diagram.host(flow.get("sourceRef"))}
        for node, (x, y, w, h) in diagram.shapes.items():
            if node not in diagram.nodes or node in ends or diagram.host(node) in ends:
                continue
            for (x1, y1), (x2, y2) in zip(points, points[1:]):
                if y1 == y2 and y < y1 < y + h and max(min(x1, x2), x) < min(max(x1, x2), x + w):
                    crossed.append((flow_id, node))
                if x1 == x2 and x < x1 < x + w and max(min(y1, y2), y) < min(max(y1, y2), y + h):
                    crossed.append((flow_id, node))
    assert crossed == []
