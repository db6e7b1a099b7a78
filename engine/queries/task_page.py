"""What a task's page needs: the task, its form, the data its form starts from, and the case's history."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.access.grants import can_act
from engine.access.visibility import visible_task
from engine.bpmn.loading import CaseLoader
from engine.bpmn.rewind import send_back_targets
from engine.forms.writes import draft_values
from engine.models import RUNNING, AuditEvent, HumanTask, ProcessInstance, User
from engine.queries.task_actions import task_actions
from engine.queries.task_approvals import ApprovalView, approvals_of, holder_task
from engine.views import EventView, TaskView, task_view


@dataclass(frozen=True)
class SendBackTarget:
    """An earlier step the task may send its case back to (退回), and who did it."""

    element_id: str
    name: str
    completed_by: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"element_id": self.element_id, "name": self.name, "completed_by": self.completed_by}


@dataclass(frozen=True)
class TaskDetail:
    task: TaskView
    form: dict[str, Any] | None
    case: dict[str, Any]
    history: list[EventView]
    may_act: bool
    draft: dict[str, Any] | None = None
    actions: tuple[str, ...] = ()
    send_back_targets: tuple[SendBackTarget, ...] = ()
    notice: str | None = None  # why the task is open again (the reason it was sent back), while open
    approvals: tuple[ApprovalView, ...] = ()  # asked on this step, or (an approval) on its holder's
    holder: TaskView | None = None  # an approval's step


INTERNAL_KEYS = frozenset({"started_by", "completed_by"})  # the engine's bookkeeping; views show it from rows


def public_data(data: dict[str, Any]) -> dict[str, Any]:
    """Task data as people see it: without the engine's bookkeeping keys and `_` names."""
    return {k: v for k, v in data.items() if k not in INTERNAL_KEYS and not str(k).startswith("_")}


def _branch_source(task: Any) -> Any:
    """The task holding the data a running branch carries, from the task where the branch is now.

    A multi-instance child stands for its parent, so one store's item (`store_code`) never poses as
    the whole case's; a join waiting for the other branches holds no data yet, so the branch's data
    is that of the task it came from.
    """
    if task.parent is not None and isinstance(task.parent.task_spec, LoopTask):
        task = task.parent
    while not task.data and task.parent is not None:
        task = task.parent
    return task


def _workflow_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    data = dict(workflow.data)  # data objects while running; everything once End has run
    if workflow.is_completed() and data:
        return data
    if workflow.is_completed():  # cancelled (terminated): the data stayed where each branch was stopped
        tips = [t for t in workflow.get_tasks(state=TaskState.CANCELLED)
                if t.parent is not None and not t.parent.has_state(TaskState.CANCELLED)]
    else:
        tips = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
    sources = {id(s): s for s in map(_branch_source, tips)}.values()
    for task in sorted(sources, key=lambda t: t.last_state_change):  # the newest branch wins a clash
        data.update(task.data)
    return data


def case_data(engine: CaseLoader, session: Session, instance: ProcessInstance) -> dict[str, Any]:
    """The case data so far, for showing to people: the workflow's data under that of its open
    branches (newest last), or all of it once the case has ended."""
    _, workflow = engine.load(session, instance)
    return public_data(_workflow_data(workflow))


def task_detail(engine: CaseLoader, session: Session, user: User, task_id: int) -> TaskDetail:
    task = visible_task(session, user, task_id, rules=engine.supervision, now=engine.clock())
    parsed = engine.process(session, task.instance.version_id)
    holder = holder_task(session, task)
    _, workflow = engine.load(session, task.instance)
    own = _own_task(workflow, holder)
    data = public_data(dict(own.data)) if own is not None else public_data(_workflow_data(workflow))
    if holder is not task and holder.waiting_on == "approval" and holder.draft:
        data.update(holder.draft)  # approvers after the holder see what the holder submitted
    form = parsed.form_for(task.element_id)
    may_act = (task.state == "open" and task.kind == "step" and can_act(user, task) and not task.waiting_on
               and task.assignee_id in (None, user.id))
    targets = tuple(SendBackTarget(t.element_id, t.name, t.completed_by)
                    for t in send_back_targets(workflow, own)
                    ) if may_act and own is not None and task.instance.status == RUNNING else ()
    return TaskDetail(task=task_view(task), form=form, case=data,
                      history=case_events(session, task.instance_id),
                      may_act=may_act,
                      draft=draft_values(form, task.draft, data)
                      if task.draft is not None and task.assignee_id in (None, user.id) else None,
                      actions=task_actions(session, user, task, engine.supervision,
                                           may_send_back=bool(targets), now=engine.clock()),
                      send_back_targets=targets, notice=task.notice if task.state == "open" else None,
                      approvals=tuple(approvals_of(session, holder)),
                      holder=task_view(holder) if holder is not task else None)


def _own_task(workflow: BpmnWorkflow, task: HumanTask) -> Any:
    """The workflow's task an open row stands for (its data is what the form starts from); None for
    a finished one, whose page shows the case data."""
    if task.state == "open":
        try:
            return workflow.get_task_from_id(UUID(task.spiff_task_id))
        except TaskNotFoundException:
            pass
    return None


def case_events(session: Session, instance_id: int) -> list[EventView]:
    rows = session.scalars(select(AuditEvent).options(joinedload(AuditEvent.actor))
                           .where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)).all()
    return [EventView(id=e.id, event_type=e.event_type, at=e.at, actor=e.actor.username if e.actor else None,
                      element_id=e.element_id, message=e.message, data=e.data, task_id=e.task_id)
            for e in rows]
