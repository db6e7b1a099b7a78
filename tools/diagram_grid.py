"""Where each shape and flow of a process diagram goes: every lane a horizontal band of grid rows,
every node in a (column, row) cell of its lane, boundary events on the bottom edge of their task, and
every flow routed with orthogonal waypoints between the cells (`tools/bpmn_layout.py` writes them
as BPMN diagram interchange)."""
from __future__ import annotations

from dataclasses import dataclass

from workflows.model_sources import Flow, Node, ProcessSource

POOL_X, POOL_Y, HEADER, PAD = 100, 60, 30, 20
COL_W, ROW_H = 160, 140
SIZES = {"user": (120, 80), "script": (120, 80), "rule": (120, 80), "xor": (50, 50), "and": (50, 50),
         "or": (50, 50), "start": (36, 36), "end": (36, 36), "timer": (36, 36), "boundary": (36, 36),
         "call": (120, 80)}
GATEWAYS = {"xor", "and", "or"}

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
