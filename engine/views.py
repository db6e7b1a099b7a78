"""Plain data that leaves the engine; templates and API responses never touch SpiffWorkflow objects."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

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

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


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
class InstanceView:
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
        return _jsonable(asdict(self))


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
    """A failed background step of a case (`engine.incidents`) and how it was settled."""

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
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
