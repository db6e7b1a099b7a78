"""The timers of a case that moves to another version of its process (`engine.bpmn.retarget`).

A waiting step's boundary events follow the target version:
- a timer the target has with the same expression keeps the due time it armed;
- a changed timer, and a boundary event the target adds to a step the case is waiting on, is armed
  afresh **counted from the move** (the engine's clock, as `running_model` sets it). We do not count
  from when the step opened: the old version did not promise that deadline, and a timer counted from
  the past would fire at once for every long-waiting case, sending reminders and escalations in a
  burst the administrator did not ask for. The case timeline names every timer so armed;
- a boundary event the target no longer has is disarmed (dropped with what it would have led to); it
  does not keep the case from moving, as a waiting step that is gone does.

SpiffWorkflow puts a step with boundary events under a split (`<id>.BoundaryEventSplit`) whose
children are the step and its events: when the target version gives a waiting step its first boundary
event, or takes its last away, the case's task tree gets that split or loses it (`fit_splits`)."""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState


@dataclass
class TimerChanges:
    """Boundary events and timers the move armed afresh and disarmed, by element id."""

    armed: list[str] = field(default_factory=list)
    disarmed: list[str] = field(default_factory=list)

    def as_data(self) -> dict[str, list[str]]:
        """For the case's `case_migrated` event: only the lists that say something."""
        return {name: sorted(set(ids)) for name, ids in (("armed", self.armed), ("disarmed", self.disarmed))
                if ids}


Armed = dict[Any, tuple[str, Any, Any]]


def armed_timers(workflow: BpmnWorkflow) -> Armed:
    """Waiting timer events with the due time they armed: task id → (element, expression, value)."""
    armed = {}
    for task in workflow.get_tasks(state=TaskState.WAITING):
        expression = _expression(task.task_spec)
        value = task.internal_data.get("event_value")
        if value is not None and expression is not None:
            armed[task.id] = (task.task_spec.name, expression, value)
    return armed


def is_boundary_event(task: Any) -> bool:
    return isinstance(task.task_spec, BoundaryEvent)


def disarm(workflow: Any, task: Any, changes: TimerChanges) -> None:
    """Drop a waiting boundary event the target version does not have (and what it predicted)."""
    changes.disarmed.append(getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name)
    _drop(workflow, task)


def _drop(workflow: Any, task: Any) -> None:
    """Take a task and what it predicted out of the tree, and out of the events the workflow waits for."""
    for gone in list(task):
        workflow.top_workflow.event_manager.remove_task(gone)
    workflow._remove_task(task.id)


def fit_splits(workflow: Any) -> None:
    """After the tasks point at the target's elements: put a waiting step under the boundary split its
    new element has (its first boundary event is new), or take it from under a split its new element
    no longer has (its boundary events are gone, and were disarmed)."""
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.STARTED | TaskState.WAITING,
                                   skip_subprocesses=True):
        parent = task.parent
        if parent is None or is_boundary_event(task):
            continue
        splits = [s for s in task.task_spec.inputs if isinstance(s, BoundaryEventSplit)]
        if isinstance(parent.task_spec, BoundaryEventSplit) and parent.task_spec not in task.task_spec.inputs:
            _splice_out(workflow, parent, task)
        elif splits and parent.task_spec is not splits[0]:
            _splice_in(workflow, parent, task, splits[0])


def _splice_out(workflow: Any, split: Any, task: Any) -> None:
    above = split.parent
    for other in split.children:
        if other is not task:
            _drop(workflow, other)
    above._children[above._children.index(split.id)] = task.id
    task._parent = above.id
    workflow.tasks.pop(split.id)


def _splice_in(workflow: Any, above: Any, task: Any, split_spec: Any) -> None:
    split = Task(workflow, split_spec, above, state=TaskState.COMPLETED)
    split.data = deepcopy(above.data)
    above._children.remove(split.id)
    above._children[above._children.index(task.id)] = split.id
    split._children, task._parent = [task.id], split.id


def arm_new_boundary_events(workflow: BpmnWorkflow) -> None:
    """Give each waiting step's boundary split the boundary events the target version added to it:
    a new child of the split, updated as SpiffWorkflow updates a split's children (a timer arms)."""
    for split in workflow.get_tasks(state=TaskState.COMPLETED):
        if not isinstance(split.task_spec, BoundaryEventSplit):
            continue
        steps = [c for c in split.children if not is_boundary_event(c)]
        if not any(c.has_state(TaskState.READY | TaskState.STARTED | TaskState.WAITING) for c in steps):
            continue  # the step is done: its boundary events no longer matter
        present = {child.task_spec for child in split.children}
        for spec in split.task_spec.outputs:
            if spec not in present:
                child = split._add_child(spec, TaskState.FUTURE)
                child.reset_branch(None)  # predicts what the event leads to, then arms it


def settle_timers(workflow: BpmnWorkflow, armed: Armed, changes: TimerChanges) -> None:
    """Give a timer the target version left as it was the due time it had armed before the move;
    note every other waiting timer (new or changed) as armed at the move."""
    for task in workflow.get_tasks(state=TaskState.WAITING):
        expression = _expression(task.task_spec)
        if expression is None:
            continue
        before = armed.get(task.id)
        if before is not None and before[:2] == (task.task_spec.name, expression):
            task.internal_data["event_value"] = before[2]
        else:
            changes.armed.append(getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name)


def _expression(spec: Any) -> Any:
    return getattr(getattr(spec, "event_definition", None), "expression", None)
