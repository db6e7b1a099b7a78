"""Compact sources of the BPMN and DMN models in `bpmn/`.

Writing diagram interchange by hand for four processes invites overlapping shapes and stale
coordinates, so each process is described here once (lanes, nodes on a column grid, flows) and
`tools/bpmn_layout.py` writes the `.bpmn`/`.dmn` files from it. The generated files are what gets
deployed; a test checks that they are in step with these sources.

The same sources give the catalogue the English step names, due hours and priorities, so a step is
named in one place only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KINDS = {"start", "end", "user", "script", "rule", "xor", "and", "or", "timer", "boundary", "call"}


@dataclass(frozen=True)
class MultiInstance:
    """A parallel multi-instance over a list in the case data (`scripts_on_instances`: the
    task's pre/post scripts run in every instance, not once around them; `condition`: the
    completion condition, evaluated on each instance as it completes)."""

    collection: str
    item: str
    output: str | None = None
    output_item: str | None = None
    sequential: bool = False
    scripts_on_instances: bool = True
    condition: str | None = None
    approval_mode: str | None = None
    approver_role: str | None = None


def approval(mode: str, approvers: str, decisions: str, *, decision: str = "approved", item: str = "approver",
             role: str | None = None) -> MultiInstance:
    """An approval step with several approvers (会签 all / 或签 any / 依次 sequence): one instance per
    username in `approvers` (filled by the engine with the holders of `role` in scope when given),
    each deciding the form's boolean `decision`; `decisions` collects them. The completion
    condition is the one the mode needs (docs/modelling.md): any decision ends a 或签, a 不同意 ends
    a 会签 or 依次. The step's own pre/post-scripts run once, around the instances."""
    condition = "True" if mode == "any" else f"not {decision}"
    return MultiInstance(approvers, item, decisions, decision, sequential=mode == "sequence",
                         scripts_on_instances=False, condition=condition, approval_mode=mode,
                         approver_role=role)


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    name: str
    en: str
    lane: str
    col: float
    row: int = 0
    form: str | None = None
    due: float | None = None
    priority: int | None = None
    outcome: str | None = None
    terminate: bool = False
    script: str | None = None
    pre_script: str | None = None
    post_script: str | None = None
    decision: str | None = None
    timer: tuple[str, str] | None = None
    attached_to: str | None = None
    interrupting: bool = True
    slot: int = 0
    multi: MultiInstance | None = None
    doc: str | None = None
    no_return: bool = False  # a point of no return: once done, the case is not sent back or withdrawn past it
    #: a user task's assignee: an expression naming who does it (`started_by`, `completed_by["x"]`)
    assignee: str | None = None
    #: a user task's cc on completion: `role:<role>` entries or usernames, comma-separated
    cc: str | None = None
    #: a call activity's called process (the key of another model: a shared sub-process)
    called: str | None = None
    #: a timer start event's properties saying whom a period starts cases for (docs/modelling.md)
    start_for: tuple[tuple[str, str], ...] = ()
    #: a boundary event's message from another system (its name), instead of a timer
    message: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.id}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Flow:
    source: str
    target: str
    name: str = ""
    condition: str | None = None
    default: bool = False
    detour: int = 0

    @property
    def id(self) -> str:
        return f"flow_{self.source}_to_{self.target}"


@dataclass(frozen=True)
class Lane:
    role: str
    rows: int = 1


@dataclass(frozen=True)
class ProcessSource:
    key: str
    name: str
    doc: str
    lanes: tuple[Lane, ...]
    nodes: tuple[Node, ...]
    flows: tuple[Flow, ...]

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    @property
    def user_tasks(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.kind == "user")


@dataclass(frozen=True)
class Rule:
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Decision:
    """One DMN decision table; input = (label, expression, typeRef), output = (label, name, typeRef)."""

    id: str
    name: str
    hit_policy: str
    inputs: tuple[tuple[str, str, str], ...]
    outputs: tuple[tuple[str, str, str], ...]
    rules: tuple[Rule, ...]
    doc: str = ""


def node(kind: str, node_id: str, name: str, en: str, lane: str, col: float, row: int = 0,
         **options: Any) -> Node:
    if kind == "user":
        options.setdefault("form", f"{node_id}.json")
    return Node(node_id, kind, name, en, lane, col, row, **options)


def start(node_id: str, name: str, en: str, lane: str, col: float, row: int = 0, **options: Any) -> Node:
    options.setdefault("form", f"{node_id}.json")
    return node("start", node_id, name, en, lane, col, row, **options)


def timer_start(node_id: str, name: str, en: str, lane: str, col: float, row: int = 0, *, cycle: str,
                start_for: tuple[tuple[str, str], ...] = (), **options: Any) -> Node:
    """A start event on a schedule (`cycle`: R[n]/<start>/<duration>, quoted here); a person may
    still start a case by hand through it, with its start form."""
    options.setdefault("form", f"{node_id}.json")
    return node("start", node_id, name, en, lane, col, row, timer=("timeCycle", f'"{cycle}"'),
                start_for=start_for, **options)


def end(node_id: str, name: str, en: str, lane: str, col: float, row: int = 0, **options: Any) -> Node:
    return node("end", node_id, name, en, lane, col, row, **options)


def user(node_id: str, name: str, en: str, lane: str, col: float, row: int = 0, **options: Any) -> Node:
    return node("user", node_id, name, en, lane, col, row, **options)


def script(node_id: str, name: str, en: str, lane: str, col: float, row: int = 0, *, code: str,
           **options: Any) -> Node:
    return node("script", node_id, name, en, lane, col, row, script=code.strip("\n"), **options)


def rule(node_id: str, name: str, en: str, lane: str, col: float, row: int = 0, *, decision: str,
         **options: Any) -> Node:
    return node("rule", node_id, name, en, lane, col, row, decision=decision, **options)


def call(node_id: str, name: str, en: str, lane: str, col: float, row: int = 0, *, process: str,
         **options: Any) -> Node:
    """A call activity running process `process` (another file's model) as a step of the case."""
    return node("call", node_id, name, en, lane, col, row, called=process, **options)


def gateway(kind: str, node_id: str, name: str, en: str, lane: str, col: float, row: int = 0) -> Node:
    return node(kind, node_id, name, en, lane, col, row)


def timer(node_id: str, name: str, en: str, lane: str, col: float, row: int = 0, *, date: str) -> Node:
    return node("timer", node_id, name, en, lane, col, row, timer=("timeDate", date))


def boundary(node_id: str, name: str, en: str, attached_to: str, *, duration: str | None = None,
             date: str | None = None, interrupting: bool = True, slot: int = 0) -> Node:
    spec = ("timeDuration", duration) if duration else ("timeDate", date or "")
    return Node(node_id, "boundary", name, en, "", 0, timer=spec, attached_to=attached_to,
                interrupting=interrupting, slot=slot)


def message_boundary(node_id: str, name: str, en: str, attached_to: str, *, message: str,
                     interrupting: bool = False, slot: int = 0, **options: Any) -> Node:
    """A boundary event on `attached_to` catching message `message` from another system
    (`POST /api/v1/messages`) while that step is open; `form` names the payload's schema and `cc`
    whom the arrival tells (docs/modelling.md)."""
    return Node(node_id, "boundary", name, en, "", 0, attached_to=attached_to, interrupting=interrupting,
                slot=slot, message=message, **options)


def flows(*items: tuple[Any, ...] | Flow) -> tuple[Flow, ...]:
    """Flows written as (source, target) or (source, target, name, condition) tuples."""
    result = []
    for item in items:
        if isinstance(item, Flow):
            result.append(item)
        else:
            result.append(Flow(*item))
    return tuple(result)


def default(source: str, target: str, name: str = "", detour: int = 0) -> Flow:
    return Flow(source, target, name, None, True, detour)


__all__ = ["Decision", "Flow", "Lane", "MultiInstance", "Node", "ProcessSource", "Rule", "approval",
           "boundary", "call", "default", "end", "flows", "gateway", "message_boundary", "node", "rule",
           "script", "start", "timer", "timer_start", "user"]
