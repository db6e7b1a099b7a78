"""Moving a running case's workflow onto another version of its process.

SpiffWorkflow 3.2 aligns the elements of two versions by id, and by structure where an id is gone
(`SpecDiff`); `migrate_workflow` then points every task at its new element and resets the READY and
WAITING ones, so they are predicted again from the new version (a reset task keeps its id, which is
what keeps a case's task rows and links valid). We compute the spec alignment once per pair of
versions (`Alignment`, the costly part: it converts every element) and apply it to each case.

A case cannot move while a step it waits on (READY, WAITING or STARTED) is gone from the target or
has become another kind of element, nor when any step it has been through is gone (the restored
workflow would point at nothing); the administrator may map such an element to one of the target
version's elements of the same kind. The check is the move itself: `move` moves the workflow it is
given and reports what stands in the way, so a dry run is a move that is not stored.

Timers follow the target version (`engine.bpmn.moved_timers`): an unchanged one keeps its due time,
a new or changed one is armed counted from the move, a removed boundary event is disarmed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidData, NotFound
from engine.models import ProcessDefinition, ProcessVersion

from . import state
from .moved_timers import (
    TimerChanges,
    arm_new_boundary_events,
    armed_timers,
    disarm,
    fit_splits,
    is_boundary_event,
    settle_timers,
)
from .specs import ParsedProcess

WAITING = TaskState.READY | TaskState.WAITING | TaskState.STARTED
#: Why a case cannot move, as codes the web layer words (with the element they concern).
REMOVED, CHANGED_KIND, PASSED_REMOVED = "removed", "changed_kind", "passed_removed"
NO_SUBPROCESS = "no_subprocess"


@dataclass(frozen=True)
class Blocker:
    """One element that keeps a case from moving: its id, its name, and why (a code above)."""

    element: str
    name: str
    reason: str


@dataclass
class MoveCheck:
    """What moving one workflow found: the steps it waits on (id, name) and what blocks it."""

    waiting: list[tuple[str, str]] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    timers: TimerChanges = field(default_factory=TimerChanges)

    @property
    def movable(self) -> bool:
        return not self.blockers


class Alignment:
    """The elements of one version aligned with another's, the administrator's mapping applied;
    built once for a batch of cases on the same pair of versions."""

    def __init__(self, source: ParsedProcess, target: ParsedProcess, mapping: Mapping[str, str]) -> None:
        self.source, self.target, self.mapping = source, target, dict(mapping)
        registry = state.registry()
        self.diffs: dict[str, SpecDiff | None] = {}
        for old in source.all_specs():
            new = target.spec if old is source.spec else target.subprocess_specs.get(old.name)
            if new is None:
                self.diffs[old.name] = None
                continue
            diff = SpecDiff(registry, old, new)
            for old_name, new_name in _with_inner(self.mapping, old):
                if old_name in old.task_specs and new_name in new.task_specs:
                    diff.alignment[old.task_specs[old_name]] = new.task_specs[new_name]
            self.diffs[old.name] = diff

    def new_spec(self, old: BpmnProcessSpec) -> BpmnProcessSpec | None:
        return self.target.spec if old is self.source.spec else self.target.subprocess_specs.get(old.name)


def migration_versions(session: Session, process_key: str, from_version: Any, to_version: Any
                       ) -> tuple[ProcessVersion, ProcessVersion]:
    """The two versions a migration names, or InvalidData naming the field that names no version."""
    if session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == process_key)) is None:
        raise NotFound(f"no process {process_key!r} is deployed")
    found = []
    for name, number in (("from_version", from_version), ("to_version", to_version)):
        if not isinstance(number, int) or isinstance(number, bool):
            raise InvalidData(f"{name} must be a version number", {name: "must be a version number"})
        version = session.scalar(select(ProcessVersion).join(ProcessDefinition).where(
            ProcessDefinition.key == process_key, ProcessVersion.version == number))
        if version is None:
            raise InvalidData(f"{process_key} has no version {number}", {name: f"no version {number}"})
        found.append(version)
    if found[0].id == found[1].id:
        raise InvalidData("the versions are the same", {"to_version": "differs from from_version"})
    return found[0], found[1]


def mapping_choices(source: ParsedProcess, target: ParsedProcess, element_ids: list[str]
                    ) -> dict[str, list[tuple[str, str]]]:
    """For each of the source version's elements named, the target's elements it may be mapped to
    (those of the same kind), as (id, name), by id; an id that names no element of the source is left out."""
    choices = {}
    for old_id in element_ids:
        old = source.element(old_id)
        if old is None or not getattr(old, "bpmn_id", None):
            continue
        choices[old_id] = sorted((spec.bpmn_id, spec.bpmn_name or "") for process in target.all_specs()
                                 for spec in process.task_specs.values()
                                 if getattr(spec, "bpmn_id", None) and type(spec) is type(old))
    return choices


def _with_inner(mapping: Mapping[str, str], spec: BpmnProcessSpec) -> list[tuple[str, str]]:
    """The mapping, plus the inner specs SpiffWorkflow names after a mapped element (its boundary
    events' split and join, `<id>.BoundaryEventSplit`; a multi-instance task's `<id> [child]`)."""
    pairs = list(mapping.items())
    for old_id, new_id in mapping.items():
        pairs += [(name, new_id + name[len(old_id):]) for name in spec.task_specs
                  if name.startswith((f"{old_id}.", f"{old_id} ["))]
    return pairs


def check_mapping(source: ParsedProcess, target: ParsedProcess, mapping: Any) -> dict[str, str]:
    """The administrator's mapping (old element id → new element id), or InvalidData naming the entry
    (`mapping.<old id>`) whose old element is not in the source version, whose new element is not
    in the target, or whose new element is of another kind (a user task maps to a user task)."""
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping):
        raise InvalidData("the mapping must be an object of element ids", {"mapping": "must be an object"})
    clean: dict[str, str] = {}
    for old_id, new_id in mapping.items():
        name = f"mapping.{old_id}"
        if not isinstance(old_id, str) or not isinstance(new_id, str) or not new_id:
            raise InvalidData(f"{name}: element ids are strings", {name: "element ids are strings"})
        old = source.element(old_id)
        if old is None or not getattr(old, "bpmn_id", None):
            raise InvalidData(f"{name}: the source version has no element {old_id}",
                              {name: f"no element {old_id} in the source version"})
        new = target.element(new_id)
        if new is None or not getattr(new, "bpmn_id", None):
            raise InvalidData(f"{name}: the target version has no element {new_id}",
                              {name: f"no element {new_id} in the target version"})
        if type(new).__name__ != type(old).__name__:
            raise InvalidData(f"{name}: {new_id} is a {kind(new)}, {old_id} a {kind(old)}",
                              {name: f"{new_id} is not a {kind(old)}"})
        clean[old_id] = new_id
    return clean


def kind(spec: Any) -> str:
    """An element's kind in words (`User Task`), as SpiffWorkflow describes it."""
    return str(getattr(spec, "description", None) or type(spec).__name__)


def move(workflow: BpmnWorkflow, alignment: Alignment) -> MoveCheck:
    """Move `workflow` onto the alignment's target version; what it waits on and what blocks the
    move. Call it inside `running_model` (a reset timer reads the clock). A blocked workflow is left
    half-moved: throw it away."""
    outcome = MoveCheck()
    armed = armed_timers(workflow)
    diffs: list[tuple[Any, WorkflowDiff, BpmnProcessSpec]] = []
    for sub in [workflow, *workflow.subprocesses.values()]:
        spec_diff = alignment.diffs.get(sub.spec.name)
        new_spec = alignment.new_spec(sub.spec)
        waiting = [t for t in sub.get_tasks(state=WAITING, skip_subprocesses=True)
                   if getattr(t.task_spec, "bpmn_id", None)]
        outcome.waiting += [(t.task_spec.bpmn_id, t.task_spec.bpmn_name or "") for t in waiting
                            if t.task_spec.manual or t.state != TaskState.STARTED]
        if spec_diff is None or new_spec is None:
            outcome.blockers.append(Blocker(sub.spec.name, sub.spec.description or "", NO_SUBPROCESS))
            continue
        for task in waiting:
            new = spec_diff.alignment.get(task.task_spec)
            if new is None and is_boundary_event(task) and task.state == TaskState.WAITING:
                disarm(sub, task, outcome.timers)
            elif new is None:
                outcome.blockers.append(_blocker(task, REMOVED))
            elif type(new) is not type(task.task_spec):
                outcome.blockers.append(_blocker(task, CHANGED_KIND))
        diffs.append((sub, WorkflowDiff(sub, spec_diff), new_spec))
    if outcome.blockers:
        return outcome
    for sub, diff, new_spec in diffs:
        migrate_workflow(diff, sub, new_spec)
        fit_splits(sub)
    workflow.subprocess_specs = dict(alignment.target.subprocess_specs)
    outcome.blockers += _left_behind(workflow, alignment.target)
    arm_new_boundary_events(workflow)
    settle_timers(workflow, armed, outcome.timers)
    return outcome


def _blocker(task: Any, reason: str) -> Blocker:
    spec = task.task_spec
    return Blocker(spec.bpmn_id or spec.name, spec.bpmn_name or "", reason)


def _left_behind(workflow: BpmnWorkflow, target: ParsedProcess) -> list[Blocker]:
    """Tasks still pointing at an element the target does not have (steps the case has been through,
    which nothing aligned): the stored workflow could not be restored on the target."""
    found: dict[str, Blocker] = {}
    for sub in [workflow, *workflow.subprocesses.values()]:
        own = sub.spec.task_specs
        for task in sub.tasks.values():
            spec = task.task_spec
            if own.get(spec.name) is not spec:
                element = getattr(spec, "bpmn_id", None) or spec.name
                found.setdefault(element, Blocker(element, getattr(spec, "bpmn_name", None) or "",
                                                  PASSED_REMOVED))
    return list(found.values())
