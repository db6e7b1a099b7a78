"""Where a running case may be sent back to, and rewinding its workflow there.

SpiffWorkflow 3.2's `reset_from_task_id` drops every descendant of a task in the task tree and makes
the task READY again, keeping its id; it knows nothing of the BPMN path. Found by experiment:
- a step before a parallel split is an ancestor of every branch, so resetting it drops the open
  branches too; a step inside one branch is not an ancestor of the other branch's tasks;
- after a join, the steps that follow hang under the join of ONE branch (whichever the library
  picked); the other branch's join instance is cancelled. Resetting a step of that other branch
  alone would leave the steps after the join running and, once the step is done again, pass the
  join a second time (two copies of everything after it). So that step is rewound together with
  the join on the holder's side, which then waits for the step again;
- removed timers (intermediate or boundary) stay registered in `workflow.event_manager`, and the
  next `refresh_timers` fails on them (their parent is gone): they are unregistered here;
- a reset task's data is its parent's again (its own form values are gone from the workflow);
- resetting a multi-instance task drops its instances and makes new ones (new ids) when it runs
  again; one instance alone is no step to go back to.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.task import TaskState

from .service_tasks import is_service_task
from .specs import point_of_no_return


@dataclass(frozen=True)
class Target:
    """An earlier step a task may send its case back to: the completed workflow task, and the join
    on the holder's path to rewind with it when the step is on another branch of a parallel split."""

    task: Any
    join: Any | None = None

    @property
    def element_id(self) -> str:
        return self.task.task_spec.bpmn_id

    @property
    def name(self) -> str:
        return self.task.task_spec.bpmn_name or self.element_id

    @property
    def multi(self) -> bool:
        """A multi-instance step: it reopens as new instances, each for whoever it falls to."""
        return isinstance(self.task.task_spec, LoopTask)

    @property
    def completed_by(self) -> str | None:
        done = self.task.data.get("completed_by")
        return done.get(self.element_id) if isinstance(done, dict) and not self.multi else None


def _ancestors(task: Any) -> Iterator[Any]:
    parent = task.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _is_step(task: Any) -> bool:
    """A completed user step of the process itself: a multi-instance user task as a whole, never one
    of its instances."""
    spec = task.task_spec
    if task.state != TaskState.COMPLETED or not spec.bpmn_id:
        return False
    if task.parent is not None and isinstance(task.parent.task_spec, LoopTask):
        return False
    if isinstance(spec, LoopTask):
        instance = task.workflow.spec.task_specs.get(spec.task_spec)
        return bool(instance is not None and instance.manual and not is_service_task(instance))
    return bool(spec.manual) and not is_service_task(spec)  # a service task waits for its connector


def _merged_join(step: Any, path: list[Any]) -> Any | None:
    """The join on the holder's `path` (its ancestors, nearest first) that the step's branch flowed
    into, if it did: the branch then ends in an instance of the join that did not go on (the library
    cancels it), and the path holds the instance that did, below the split the branch left it at."""
    on_path = {id(t): n for n, t in enumerate(path)}
    split = next((n for n, a in ((on_path.get(id(a)), a) for a in _ancestors(step)) if n is not None), None)
    if split is None:
        return None
    for task in step:  # the step and its descendants
        if isinstance(task.task_spec, Join) and task.state == TaskState.CANCELLED and not task.children:
            joins = [t for t in path[:split] if t.task_spec is task.task_spec]
            if joins:
                return joins[-1]  # the first instance after the split
    return None


def send_back_targets(workflow: BpmnWorkflow, holder: Any) -> list[Target]:
    """The completed user steps on the path that led to `holder` (a READY task), newest first.

    On the path means an ancestor in the task tree, or a step on another branch of a parallel split
    whose branch joined before the holder was reached; a step of a parallel branch still running
    beside the holder is not on it. Nothing at or before a passed point of no return is offered."""
    path = list(_ancestors(holder))
    barrier = point_of_no_return(workflow)
    found: dict[str, Target] = {}
    for task in path:
        if _is_step(task):
            found.setdefault(task.task_spec.bpmn_id, Target(task))
    for task in workflow.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True):
        if _is_step(task) and task.task_spec.bpmn_id not in found and task is not holder:
            join = _merged_join(task, path)
            if join is not None:
                found[task.task_spec.bpmn_id] = Target(task, join)
    targets = [t for t in found.values()
               if barrier is None or (t.task is not barrier and t.task.is_descendant_of(barrier)
                                      and (t.join is None or t.join.is_descendant_of(barrier)))]
    return sorted(targets, key=lambda t: t.task.last_state_change, reverse=True)


def rewind(workflow: BpmnWorkflow, target: Target) -> list[Any]:
    """Make the target step READY again and drop everything that came after it; the removed tasks."""
    removed = list(workflow.reset_from_task_id(target.task.id))
    if target.join is not None:
        removed += workflow.reset_from_task_id(target.join.id)
    for task in removed:
        workflow.event_manager.remove_task(task)
    return removed
