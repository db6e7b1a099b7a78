"""Plain data that leaves the engine, and the converters from rows to it.

Templates and API responses read these frozen views only, never ORM objects or SpiffWorkflow's.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import HumanTask

if TYPE_CHECKING:
    from .models import Incident, ProcessInstance, Schedule

T = TypeVar("T")


@dataclass(frozen=True)
class TaskView:
    id: int
    name: str
    element_id: str
    process_key: str
    instance_id: int
    role: str | None
    store_code: str | None
    assignee: str | None
    state: str
    created_at: datetime
    due_at: datetime | None
    priority: int
    business_key: str | None = None
    title: str | None = None
    claimed_at: datetime | None = None
    completed_at: datetime | None = None
    completed_by: str | None = None
    kind: str = "step"  # or "approval": one the holder of `parent_id` asked for (加签)
    parent_id: int | None = None
    position: str | None = None
    waiting_on: str | None = None
    decision: str | None = None
    comment: str | None = None
    #: Open and held by nobody: marked in 待办, and completing it claims it.
    claimable: bool = False
    #: 代理: the away person the assignee holds the task for (None: held for nobody else).
    on_behalf_of: str | None = None
    #: The version the task's case runs on, so pages name the step as that version does; not in the API.
    version_id: int | None = field(default=None, metadata={"api": False})

    def to_dict(self) -> dict[str, Any]:
        return _shallow(self)


@dataclass(frozen=True)
class EventView:
    id: int
    event_type: str
    at: datetime
    actor: str | None
    element_id: str | None
    message: str
    data: dict[str, Any] | None
    task_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class CaseView:
    id: int
    process_key: str
    version: int
    status: str
    outcome: str | None
    business_key: str | None
    title: str
    store_code: str | None
    started_by: str | None
    started_at: datetime
    ended_at: datetime | None
    open_tasks: list[TaskView] = field(default_factory=list)
    last_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _shallow(self)


@dataclass(frozen=True)
class ProcessView:
    """A deployed process as a starter sees it: its key, its name and the version a start would use."""

    key: str
    name: str
    version: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class IncidentView:
    """A failed background step of a case (`engine.runtime.incidents`) and how it was settled."""

    id: int
    instance_id: int
    status: str
    job: str
    element_id: str | None
    element_name: str
    error_type: str
    message: str
    occurred_at: datetime
    failed_at: datetime
    attempts: int
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    reason: str | None

    @property
    def open(self) -> bool:
        return self.status == "open"

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class StartableProcess:
    """A process someone may start, with the JSON Schema its start data must meet, so that an API
    client can start it without reading the model."""

    key: str
    name: str
    version: int
    start_form: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # a deep copy: the form is the parsed-spec cache's own


@dataclass(frozen=True)
class ScheduleView:
    """A scheduled start (`engine.runtime.scheduled_starts`) as the administrators' list shows it:
    `every` is the rule as facts (`TimerRule.describe`), `start_for` whom each period starts for."""

    id: int
    process_key: str
    process_name: str
    element_id: str
    name: str
    kind: str
    rule: str
    every: dict[str, Any]
    start_for: dict[str, Any]
    paused: bool
    next_run: datetime | None
    last_period: datetime | None
    last_run_at: datetime | None
    last_cases: int

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def schedule_view(row: Schedule, process_name: str, every: dict[str, Any]) -> ScheduleView:
    return ScheduleView(id=row.id, process_key=row.process_key, process_name=process_name,
                        element_id=row.element_id, name=row.name, kind=row.kind, rule=row.rule, every=every,
                        start_for=dict(row.start_for or {}), paused=row.paused, next_run=row.next_run,
                        last_period=row.last_period, last_run_at=row.last_run_at, last_cases=row.last_cases)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _shallow(view: Any) -> dict[str, Any]:
    """`asdict` without its deep copy, for the views every request returns: `_jsonable` builds new
    containers anyway, and the other values are immutable. The fields are read from the instance's
    `__dict__` (in field order) and the plain values kept without a call: a list of 50 tasks has 1,250."""
    names = _FIELD_NAMES.get(type(view))
    if names is None:
        names = _FIELD_NAMES[type(view)] = tuple(f.name for f in fields(view) if f.metadata.get("api", True))
    values = view.__dict__
    shallow: dict[str, Any] = {}
    for name in names:
        value = values[name] if name in values else getattr(view, name)
        shallow[name] = value if type(value) in _AS_IS else _jsonable(value)
    return shallow


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


_AS_IS = frozenset({str, int, float, bool, type(None)})


def _jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _AS_IS:  # most fields: the test first, since a list of 50 tasks asks it 1,250 times
        return value
    if kind is datetime:
        return value.isoformat()
    if isinstance(value, (TaskView, CaseView)):
        return _shallow(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


# -- rows to views -------------------------------------------------------------------------------------

def task_view(task: HumanTask, instance: ProcessInstance | None = None) -> TaskView:
    instance = instance or task.instance
    return task_fields_view(task, instance, task.assignee.username if task.assignee else None,
                            task.completed_by.username if task.completed_by else None,
                            on_behalf_of=task.on_behalf_of.username if task.on_behalf_of else None)


def case_view(session: Session, instance: ProcessInstance,
                  open_tasks: list[HumanTask] | None = None) -> CaseView:
    """The case as plain data; a caller passes the open task rows it already holds."""
    if open_tasks is None:
        tasks = session.scalars(select(HumanTask)
                                .where(HumanTask.instance_id == instance.id, HumanTask.state == "open")
                                .order_by(HumanTask.id)).all()
    else:
        tasks = sorted(open_tasks, key=lambda t: t.id)
    return case_fields_view(instance, instance.version.version,
                            instance.started_by.username if instance.started_by else None,
                            [task_view(t, instance) for t in tasks])


def incident_view(incident: Incident) -> IncidentView:
    return IncidentView(
        id=incident.id, instance_id=incident.instance_id, status=incident.status, job=incident.job,
        element_id=incident.element_id, element_name=incident.element_name, error_type=incident.error_type,
        message=incident.message, occurred_at=incident.occurred_at, failed_at=incident.failed_at,
        attempts=incident.attempts, resolved_at=incident.resolved_at,
        resolved_by=incident.resolved_by.username if incident.resolved_by else None,
        resolution=incident.resolution, reason=incident.reason)


def task_fields_view(task: Any, case: Any, assignee: str | None, completed_by: str | None, *,
                     on_behalf_of: str | None = None) -> TaskView:
    """A task's view from anything with a task row's fields: an ORM object or a command's record
    (whose view leaves `on_behalf_of` out: the task's page and lists show it)."""
    return TaskView(
        id=task.id, name=task.name, element_id=task.element_id, process_key=task.process_key,
        instance_id=task.instance_id, role=task.lane_role, store_code=task.store_code, assignee=assignee,
        state=task.state, created_at=task.created_at, due_at=task.due_at, priority=task.priority,
        business_key=case.business_key if case else None, title=case.title if case else None,
        claimed_at=task.claimed_at, completed_at=task.completed_at, completed_by=completed_by,
        kind=task.kind, parent_id=task.parent_id, position=task.position, waiting_on=task.waiting_on,
        decision=task.decision, comment=task.comment, claimable=task.state == "open" and assignee is None,
        on_behalf_of=on_behalf_of, version_id=getattr(case, "version_id", None) if case else None)


def case_fields_view(case: Any, version: int, started_by: str | None, open_tasks: list[TaskView]) -> CaseView:
    """A case's view from anything with a case row's fields: an ORM object or a command's record."""
    return CaseView(
        id=case.id, process_key=case.process_key, version=version, status=case.status, outcome=case.outcome,
        business_key=case.business_key, title=case.title, store_code=case.store_code, started_by=started_by,
        started_at=case.started_at, ended_at=case.ended_at, open_tasks=open_tasks, last_error=case.last_error)
