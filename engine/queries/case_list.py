"""The supervisor's case list (the actions taken from it are `runtime.bulk`'s).

The list filters by process, version, status, store, region, starter, date range, overdue and the
role an open step waits on, and
shows for each case the steps it waits on and who holds them, how old it is and whether it is
late. It reads the indexed `process_instance` and `human_task` rows only: one query for the page,
one for the open tasks of the cases on it, never a deserialized workflow. Visibility is the same
`visibility_filter` every case view uses, and the JSON API's case list is this list, so nobody
finds a case here they could not open.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator, Sequence

from sqlalchemy import ColumnElement, Integer, Select, and_, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from engine.access.visibility import visibility_filter
from engine.errors import InvalidData
from engine.models import (
    SEED_MARK,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    Store,
    User,
)
from engine.policy import SupervisionRules
from engine.views import CaseView, Page, case_view

from .incidents import has_open_incident, open_counts
from .task_lists import MAX_PER_PAGE

STATUSES = ("running", "suspended", "error", "completed", "terminated", "withdrawn")
SORTS = ("newest", "oldest", "due")
DUE_SOON = timedelta(hours=24)


@dataclass(frozen=True)
class CaseFilter:
    process: str | None = None
    version: int | None = None
    status: str | None = None
    store_code: str | None = None
    region: str | None = None
    started_by: str | None = None
    started_from: datetime | None = None
    started_to: datetime | None = None
    ended_from: datetime | None = None  # cases that ended (completed, terminated, withdrawn) in the range
    ended_to: datetime | None = None
    overdue: bool | None = None
    search: str | None = None
    sort: str = "newest"
    page: int = 1
    per_page: int = 25
    has_incident: bool | None = None
    waiting_role: str | None = None  # cases with an open step in this lane role (the dashboard's drill-down)

    def checked(self) -> CaseFilter:
        errors = {}
        if self.status and self.status not in STATUSES:
            errors["status"] = f"must be one of {', '.join(STATUSES)}"
        if self.sort not in SORTS:
            errors["sort"] = f"must be one of {', '.join(SORTS)}"
        if self.page < 1:
            errors["page"] = "must be 1 or more"
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            errors["per_page"] = f"must be between 1 and {MAX_PER_PAGE}"
        if self.version is not None and self.version < 1:
            errors["version"] = "must be 1 or more"
        for name in ("started_from", "started_to", "ended_from", "ended_to"):
            if not _in_utc_range(getattr(self, name)):
                errors[name] = "out of range"
        if self.started_from and self.started_to and self.started_to <= self.started_from:
            errors["started_to"] = "must be after the start of the range"
        if self.ended_from and self.ended_to and self.ended_to <= self.ended_from:
            errors["ended_to"] = "must be after the start of the range"
        if errors:
            raise InvalidData("invalid list parameters", errors)
        return self


def _in_utc_range(moment: datetime | None) -> bool:
    """Whether the moment can be stored: 0001-01-01 in China time is the year 0 in UTC."""
    try:
        return moment is None or moment.astimezone(timezone.utc) is not None
    except OverflowError:
        return False


@dataclass(frozen=True, slots=True)
class CurrentStep:
    task_id: int
    element_id: str
    name: str
    role: str | None
    store_code: str | None
    assignee: str | None
    assignee_name: str | None
    created_at: datetime
    due_at: datetime | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class CaseListRow:
    id: int
    business_key: str | None
    title: str
    process_key: str
    process_name: str
    version: int
    status: str
    outcome: str | None
    store_code: str | None
    region: str | None
    started_by: str | None
    started_by_name: str | None
    started_at: datetime
    ended_at: datetime | None
    age: timedelta
    steps: tuple[CurrentStep, ...]
    due_state: str  # overdue, due_soon, on_time, none
    seeded: bool = False
    incidents: int = 0  # open ones: the case is stopped until an administrator settles them


def _open_due() -> Any:
    """The earliest due time among a case's open tasks (a correlated subquery)."""
    return (select(func.min(HumanTask.due_at))
            .where(HumanTask.instance_id == ProcessInstance.id, HumanTask.state == "open")
            .correlate(ProcessInstance).scalar_subquery())


def _case_query(user: User, f: CaseFilter, now: datetime, rules: SupervisionRules) -> Select[Any]:
    """The ids of the cases the filter matches among those `user` may see (the API's rule)."""
    conditions: list[ColumnElement[bool]] = [visibility_filter(user, rules=rules)]
    if f.process:
        conditions.append(ProcessInstance.process_key == f.process)
    if f.version is not None:
        conditions.append(ProcessInstance.version_id.in_(
            select(ProcessVersion.id).where(ProcessVersion.version == f.version)))
    if f.status:
        conditions.append(ProcessInstance.status == f.status)
    if f.store_code:
        conditions.append(ProcessInstance.store_code == f.store_code)
    if f.region:
        conditions.append(ProcessInstance.region == f.region)
    if f.started_by:
        starters = select(User.id).where(User.username == f.started_by)
        conditions.append(ProcessInstance.started_by_id.in_(starters))
    if f.started_from:
        conditions.append(ProcessInstance.started_at >= f.started_from)
    if f.started_to:
        conditions.append(ProcessInstance.started_at < f.started_to)
    if f.ended_from:
        conditions.append(ProcessInstance.ended_at >= f.ended_from)
    if f.ended_to:
        conditions.append(ProcessInstance.ended_at < f.ended_to)
    if f.overdue is not None:
        # few tasks are open, so the late ones come quickly off the (state, ...) index
        late = ProcessInstance.id.in_(select(HumanTask.instance_id).where(HumanTask.state == "open",
                                                                          HumanTask.due_at < now))
        conditions.append(late if f.overdue else ~late)
    if f.waiting_role:
        conditions.append(ProcessInstance.id.in_(select(HumanTask.instance_id).where(
            HumanTask.state == "open", HumanTask.kind == "step", HumanTask.lane_role == f.waiting_role)))
    if f.has_incident is not None:
        stopped = has_open_incident()
        conditions.append(stopped if f.has_incident else ~stopped)
    if f.search and f.search.strip():
        pattern = f"%{f.search.strip()}%"
        conditions.append(or_(ProcessInstance.title.ilike(pattern),
                              ProcessInstance.business_key.ilike(pattern)))
    return select(ProcessInstance.id).where(and_(*conditions))


def _ordered(query: Select[Any], sort: str) -> Select[Any]:
    if sort == "oldest":
        return query.order_by(ProcessInstance.id)
    if sort == "due":
        due = _open_due()
        return query.order_by(due.is_(None), due, ProcessInstance.id.desc())
    return query.order_by(ProcessInstance.id.desc())


def _page_of_ids(session: Session, user: User, f: CaseFilter, now: datetime,
                 rules: SupervisionRules) -> tuple[list[int], int]:
    f = f.checked()
    query = _case_query(user, f, now, rules)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    offset = (f.page - 1) * f.per_page
    if offset >= total:  # past the end: empty, and no OFFSET the database could not hold
        return [], total
    return list(session.scalars(_ordered(query, f.sort).limit(f.per_page).offset(offset))), total


def list_cases(session: Session, user: User, f: CaseFilter, now: datetime, *,
               rules: SupervisionRules) -> Page[CaseListRow]:
    """One page of the cases `user` may see, newest first unless sorted otherwise."""
    ids, total = _page_of_ids(session, user, f, now, rules)
    return Page(case_list_rows(session, ids, now), total, f.page, f.per_page)


def list_case_views(session: Session, user: User, f: CaseFilter, now: datetime, *,
                    rules: SupervisionRules) -> Page[CaseView]:
    """The same page as plain instance views: what the JSON API's case list answers."""
    ids, total = _page_of_ids(session, user, f, now, rules)
    rows = {i.id: i for i in session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids)))}
    return Page([case_view(session, rows[i]) for i in ids], total, f.page, f.per_page)


def matching_ids(session: Session, user: User, f: CaseFilter, now: datetime, *,
                 rules: SupervisionRules) -> list[int]:
    """The ids of every case the filter matches, in list order: visibility decided in one query."""
    f = f.checked()
    return list(session.scalars(_ordered(_case_query(user, f, now, rules), f.sort)))


def rows_of(session: Session, ids: Sequence[int], now: datetime, chunk: int = 1000) -> Iterator[CaseListRow]:
    """Rows for many ids a chunk at a time (the CSV export streams 100k of them)."""
    for start in range(0, len(ids), chunk):
        yield from case_list_rows(session, ids[start:start + chunk], now)


def iter_cases(session: Session, user: User, f: CaseFilter, now: datetime,
               chunk: int = 1000, *, rules: SupervisionRules) -> Iterator[CaseListRow]:
    """Every case the filter matches, read a chunk at a time."""
    yield from rows_of(session, matching_ids(session, user, f, now, rules=rules), now, chunk)


def _one_of(session: Session, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """`column IN ids` with the ids as one parameter (an array; JSON on SQLite): an IN list of 2,000
    parameters costs more to compile than its rows cost to read (a second per 100k exported cases)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("one_of", list(ids), type_=ARRAY(Integer)))
    listed = func.json_each(bindparam("one_of", json.dumps(list(ids)))).table_valued("value")
    return column.in_(select(listed.c.value))


def case_list_rows(session: Session, ids: Sequence[int], now: datetime) -> list[CaseListRow]:
    """Rows for these case ids, in that order, with their open steps and holders (plain columns, no
    ORM objects: the export builds 100k of these)."""
    if not ids:
        return []
    starter = aliased(User)
    pi = ProcessInstance
    connection = session.connection()  # plain rows, no ORM loading: the export reads 100k of them
    cases = {row[0]: tuple(row) for row in connection.execute(
        select(pi.id, pi.business_key, pi.title, pi.process_key, ProcessDefinition.name,
               ProcessVersion.version, pi.status, pi.outcome, pi.store_code, pi.region, starter.username,
               starter.display_name, pi.started_at, pi.ended_at, pi.serializer_version)
        .join(ProcessVersion, ProcessVersion.id == pi.version_id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessVersion.definition_id)
        .outerjoin(starter, starter.id == pi.started_by_id)
        .where(_one_of(session, pi.id, ids))).all()}  # one fetch: row by row costs a driver call per row
    steps: dict[int, list[CurrentStep]] = {}
    ht = HumanTask
    for task_id, case_id, element, name, role, store, created, due, username, display in connection.execute(
            select(ht.id, ht.instance_id, ht.element_id, ht.name, ht.lane_role, ht.store_code, ht.created_at,
                   ht.due_at, User.username, User.display_name)
            .outerjoin(User, User.id == ht.assignee_id)
            # the range is redundant but for SQLite's planner, which scans the whole table for a long
            # IN list alone (measured: 0.3 s instead of 0.01 s for 5,000 ids at 100k cases)
            .where(ht.instance_id.between(min(ids), max(ids)), _one_of(session, ht.instance_id, ids),
                   ht.state == "open")
            .order_by(ht.id)).all():
        late = due is not None and due < now
        steps.setdefault(case_id, []).append(
            CurrentStep(task_id, element, name, role, store, username, display, created, due, late))
    stopped = open_counts(session, [i for i, c in cases.items() if c[6] == "error"])
    rows = []
    for case_id in ids:
        c = cases.get(case_id)
        if c is None:
            continue
        open_steps = tuple(steps.get(case_id, ()))
        (_, key, title, process_key, process_name, version, status, outcome, store_code, region, started_by,
         started_by_name, started, ended, serializer) = c
        rows.append(CaseListRow(
            case_id, key, title, process_key, process_name or process_key,  # a process without a name
            version, status, outcome, store_code, region, started_by, started_by_name, started, ended,
            (ended or now) - started, open_steps, _due_state(open_steps, now), serializer == SEED_MARK,
            stopped.get(case_id, 0)))
    return rows


def _due_state(steps: Sequence[CurrentStep], now: datetime) -> str:
    dues = [s.due_at for s in steps if s.due_at is not None]
    if not dues:
        return "none"
    first = min(dues)
    if first < now:
        return "overdue"
    return "due_soon" if first < now + DUE_SOON else "on_time"


def filter_choices(session: Session, user: User) -> dict[str, Any]:
    """What the filter drop-downs offer: processes with their versions, stores, regions, starters; and
    every store's Chinese and English name (`store_names`), so that the page shows stores' names from
    this one read of the store table instead of a second one."""
    versions: dict[str, list[int]] = {}
    names = {}
    for key, name, version in session.execute(
            select(ProcessDefinition.key, ProcessDefinition.name, ProcessVersion.version)
            .join(ProcessVersion).order_by(ProcessDefinition.key, ProcessVersion.version)):
        versions.setdefault(key, []).append(version)
        names[key] = name
    stores = session.execute(select(Store.code, Store.name, Store.region, Store.name_en)
                             .order_by(Store.code)).all()
    starters = session.execute(select(User.username, User.display_name).where(User.active.is_(True))
                               .order_by(User.username)).all()
    return {"processes": [(k, names[k], v) for k, v in versions.items()],
            "stores": [(c, n) for c, n, _, _ in stores],
            "regions": sorted({r for _, _, r, _ in stores if r}),
            "store_names": {c: (n, en) for c, n, _, en in stores},
            "users": [(u, d) for u, d in starters]}
