"""Reading task lists and cases from the indexed tables, never from the serialized workflows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from . import incidents
from .assignment import actionable_filter, can_act, grants_of
from .errors import InvalidData, NotFound, PermissionDenied
from .form_writes import draft_values
from .models import AuditEvent, Comment, HumanTask, ProcessDefinition, ProcessInstance, User
from .viewing import instance_view, may_see, may_supervise, task_view
from .views import EventView, IncidentView, InstanceView, Page, ProcessView, StartableProcess, TaskView

TASK_SCOPES = ("mine", "claimable", "all")
TASK_SORTS = {
    "due": (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id),
    "age": (HumanTask.created_at, HumanTask.id),
    # priority 1 is the most urgent
    "priority": (HumanTask.priority, HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id),
}
MAX_PER_PAGE = 100


def startable_processes(engine: Any, session: Session, user: User) -> list[ProcessView]:
    """The deployed processes `user` may start, by key, each at the version a start would use."""
    rows = session.scalars(select(ProcessDefinition).where(ProcessDefinition.latest_version > 0)
                           .order_by(ProcessDefinition.key)).all()
    return [ProcessView(key=d.key, name=d.name, version=d.latest_version) for d in rows
            if engine.may_start(session, user, d.key)]


def startable_process(engine: Any, session: Session, user: User, process_key: str) -> StartableProcess:
    """The process `user` may start under `process_key`, at the version a start would use, with its
    start form; a model without one takes any object. A process the user may not start is as
    unknown as one never deployed."""
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == process_key,
                                                                ProcessDefinition.latest_version > 0))
    if definition is None or not engine.may_start(session, user, process_key):
        raise NotFound(f"no process {process_key!r} that you may start")
    form = engine.process(session, engine.latest_version(session, process_key).id).start_form()
    return StartableProcess(key=definition.key, name=definition.name, version=definition.latest_version,
                            start_form=form or {"type": "object"})


def _paging_errors(page: int, per_page: int) -> dict[str, str]:
    errors = {}
    if page < 1:
        errors["page"] = "must be 1 or more"
    if not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = f"must be between 1 and {MAX_PER_PAGE}"
    return errors


@dataclass(frozen=True)
class TaskFilter:
    scope: str = "all"
    process: str | None = None
    store_code: str | None = None
    overdue: bool | None = None
    due_before: datetime | None = None
    search: str | None = None
    sort: str = "due"
    page: int = 1
    per_page: int = 20

    def checked(self) -> TaskFilter:
        errors = {}
        if self.scope not in TASK_SCOPES:
            errors["scope"] = f"must be one of {', '.join(TASK_SCOPES)}"
        if self.sort not in TASK_SORTS:
            errors["sort"] = f"must be one of {', '.join(TASK_SORTS)}"
        errors.update(_paging_errors(self.page, self.per_page))
        if errors:
            raise InvalidData("invalid list parameters", errors)
        return self


def _task_query(user: User, f: TaskFilter, now: datetime) -> Select[Any]:
    mine = and_(HumanTask.state == "open", HumanTask.assignee_id == user.id)
    claimable = and_(HumanTask.state == "open", HumanTask.assignee_id.is_(None),
                     actionable_filter(grants_of(user)))
    condition = {"mine": mine, "claimable": claimable, "all": or_(mine, claimable)}[f.scope]
    query = select(HumanTask).where(condition)
    if f.process:
        query = query.where(HumanTask.process_key == f.process)
    if f.store_code:
        query = query.where(HumanTask.store_code == f.store_code)
    if f.overdue is True:
        query = query.where(HumanTask.due_at < now)
    elif f.overdue is False:
        query = query.where(or_(HumanTask.due_at.is_(None), HumanTask.due_at >= now))
    if f.due_before is not None:
        query = query.where(HumanTask.due_at < f.due_before)
    if f.search:
        pattern = f"%{f.search.strip()}%"
        query = query.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(
            or_(ProcessInstance.title.ilike(pattern), ProcessInstance.business_key.ilike(pattern)))
    return query


def list_tasks(session: Session, user: User, f: TaskFilter, now: datetime) -> Page[TaskView]:
    f = f.checked()
    query = _task_query(user, f, now)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    offset = (f.page - 1) * f.per_page
    if offset >= total:  # past the end: empty, and no OFFSET the database could not hold
        return Page([], total, f.page, f.per_page)
    rows = session.scalars(query.options(joinedload(HumanTask.instance), joinedload(HumanTask.assignee))
                           .order_by(*TASK_SORTS[f.sort]).limit(f.per_page).offset(offset)).all()
    return Page([task_view(t) for t in rows], total, f.page, f.per_page)


def task_counts(session: Session, user: User) -> dict[str, int]:
    """The two numbers in the navigation: my tasks and the ones I could claim."""
    mine = session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.state == "open", HumanTask.assignee_id == user.id)) or 0
    claimable = session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.state == "open", HumanTask.assignee_id.is_(None), actionable_filter(grants_of(user)))) or 0
    return {"mine": mine, "claimable": claimable}


@dataclass(frozen=True)
class TaskDetail:
    task: TaskView
    form: dict[str, Any] | None
    case: dict[str, Any]
    history: list[EventView]
    may_act: bool
    draft: dict[str, Any] | None = None


def visible_task(session: Session, user: User, task_id: int) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    if not (can_act(user, task) or task.assignee_id == user.id or task.completed_by_id == user.id
            or may_see(session, user, task.instance)):
        raise NotFound(f"task {task_id} does not exist")
    return task


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


def case_data(engine: Any, session: Session, instance: ProcessInstance) -> dict[str, Any]:
    """The case data so far, for showing to people: the workflow's data under that of its open
    branches (newest last), or all of it once the case has ended."""
    _, workflow = engine.load(session, instance)
    return public_data(_workflow_data(workflow))


def task_detail(engine: Any, session: Session, user: User, task_id: int) -> TaskDetail:
    task = visible_task(session, user, task_id)
    parsed = engine.process(session, task.instance.version_id)
    data = _task_data(engine, session, task)
    form = parsed.form_for(task.element_id)
    return TaskDetail(task=task_view(task), form=form, case=data,
                      history=instance_events(session, task.instance_id),
                      may_act=task.state == "open" and can_act(user, task)
                      and task.assignee_id in (None, user.id),
                      draft=draft_values(form, task.draft, data)
                      if task.draft is not None and task.assignee_id in (None, user.id) else None)


def _task_data(engine: Any, session: Session, task: HumanTask) -> dict[str, Any]:
    """An open task's own data (what its form starts from); the case data for a finished one."""
    _, workflow = engine.load(session, task.instance)
    if task.state == "open":
        try:
            return public_data(dict(workflow.get_task_from_id(UUID(task.spiff_task_id)).data))
        except TaskNotFoundException:
            pass
    return public_data(_workflow_data(workflow))


def instance_events(session: Session, instance_id: int) -> list[EventView]:
    rows = session.scalars(select(AuditEvent).options(joinedload(AuditEvent.actor))
                           .where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)).all()
    return [EventView(id=e.id, event_type=e.event_type, at=e.at, actor=e.actor.username if e.actor else None,
                      element_id=e.element_id, message=e.message, data=e.data, task_id=e.task_id) for e in rows]


@dataclass(frozen=True)
class InstanceDetail:
    instance: InstanceView
    data: dict[str, Any]
    events: list[EventView]
    comments: list[dict[str, Any]] = field(default_factory=list)
    may_supervise: bool = False
    incidents: list[IncidentView] = field(default_factory=list)


def visible_instance(session: Session, user: User, instance_id: int) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or not may_see(session, user, instance):
        raise NotFound(f"case {instance_id} does not exist")
    return instance


def instance_detail(engine: Any, session: Session, user: User, instance_id: int) -> InstanceDetail:
    instance = visible_instance(session, user, instance_id)
    comments = [{"id": c.id, "author": c.author.username, "body": c.body, "created_at": c.created_at.isoformat()}
                for c in session.scalars(select(Comment).where(Comment.instance_id == instance.id)
                                         .order_by(Comment.id))]
    return InstanceDetail(instance=instance_view(session, instance), data=case_data(engine, session, instance),
                          events=instance_events(session, instance.id), comments=comments,
                          may_supervise=may_supervise(session, user, instance),
                          incidents=incidents.shown_to(session, user, instance))


def add_comment(session: Session, user: User, instance_id: int, body: str, now: datetime,
                task_id: int | None = None) -> dict[str, Any]:
    instance = visible_instance(session, user, instance_id)
    body = (body or "").strip()
    if not body:
        raise InvalidData("a comment needs text", {"body": "required"})
    if len(body) > 4000:
        raise InvalidData("the comment is too long", {"body": "at most 4000 characters"})
    comment = Comment(instance_id=instance.id, task_id=task_id, author_id=user.id, body=body, created_at=now)
    session.add(comment)
    session.add(AuditEvent(instance_id=instance.id, task_id=task_id, event_type="comment", actor_id=user.id,
                           at=now, message=body))
    session.flush()
    return {"id": comment.id, "author": user.username, "body": body, "created_at": now.isoformat()}


def recent_outcomes(session: Session, user: User, limit: int = 20) -> list[InstanceView]:
    """Cases I started or worked on that have ended, newest first: where requesters hear the result."""
    worked = select(HumanTask.instance_id).where(HumanTask.completed_by_id == user.id)
    rows = session.scalars(select(ProcessInstance).where(
        or_(ProcessInstance.started_by_id == user.id, ProcessInstance.id.in_(worked)),
        ProcessInstance.outcome.is_not(None)).order_by(ProcessInstance.updated_at.desc()).limit(limit)).all()
    return [instance_view(session, i) for i in rows]


def ensure_visible(session: Session, user: User, instance_id: int) -> None:
    visible_instance(session, user, instance_id)


__all__ = ["TaskFilter", "startable_processes", "startable_process", "list_tasks", "task_counts",
           "task_detail", "instance_detail", "add_comment", "recent_outcomes", "PermissionDenied"]
