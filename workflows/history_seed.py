"""A realistic history of many cases, written with bulk inserts, for trying the dashboard at scale.

Running 100k cases through SpiffWorkflow would take hours, and the dashboard and case list read only
the `process_instance`, `human_task` and `audit_event` rows anyway. So each seeded case is simulated
here instead: a path through its real model (element ids of `bpmn/`), with lognormal waiting and
working times per step around realistic medians, so some steps are late and some processes have
bottlenecks. Cases are spread evenly over `days` before `now`; whatever has not finished by `now`
stays running, with its open tasks. Seeded cases carry no workflow state (`serializer_version =
"seed"`): the case page shows them from their events, and commands refuse them.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from operator import itemgetter
from typing import Any, Iterable, Mapping, Protocol, Sequence

from sqlalchemy import JSON, Table, func, insert, select, text
from sqlalchemy.orm import Session

from engine.bpmn import version_policy
from engine.errors import EngineError, InvalidData
from engine.models import (
    SEED_MARK,
    AuditEvent,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    RoleAssignment,
    Store,
    User,
    UTCDateTime,
)
from engine.policy import Catalogue, OpenCatalogue, ProcessPolicy

CASE_COLUMNS = ("id", "version_id", "process_key", "title", "business_key", "status", "outcome",
                "store_code", "region", "started_by_id", "started_at", "updated_at", "ended_at",
                "next_timer_at", "last_error", "serializer_version", "state", "lock_version")
TASK_COLUMNS = ("id", "instance_id", "spiff_task_id", "process_key", "element_id", "name", "lane_role",
                "store_code", "region", "form_file", "assignee_id", "state", "priority", "created_at",
                "claimed_at", "due_at", "completed_at", "completed_by_id", "draft")
EVENT_COLUMNS = ("id", "instance_id", "task_id", "event_type", "element_id", "actor_id", "at", "message",
                 "data")

@dataclass
class SeedSummary:
    cases: int = 0
    running: int = 0
    tasks: int = 0
    open_tasks: int = 0
    events: int = 0
    by_process: dict[str, int] = field(default_factory=dict)


@dataclass
class _Case:
    """One simulated case: its rows, built in memory before the bulk insert."""

    row: dict[str, Any]
    tasks: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)  # EVENT_COLUMNS without id, instance


class HistoryModel(Protocol):
    """What the seeder needs to know of the processes: the catalogue's `workflows.history_paths`."""

    STEPS: Mapping[str, Mapping[str, tuple[Any, ...]]]
    PATHS: Mapping[str, tuple[float, list[tuple[float, str, list[Any]]]]]
    PREFIXES: Mapping[str, str]
    STARTERS: Mapping[str, str]
    FALLBACK_STORES: Sequence[tuple[str, str, str]]

    def start_data(self, rng: random.Random, process: str, store_code: str, store_name: str,
                   stores: Sequence[tuple[str, str, str]], day: Any) -> tuple[dict[str, Any], str, Any]: ...


class _Simulator:
    def __init__(self, rng: random.Random, process: str, people: _People, case: _Case,
                 ids: dict[str, int], model: HistoryModel) -> None:
        self.rng, self.process, self.people, self.case, self.ids = rng, process, people, case, ids
        self.steps = model.STEPS[process]
        self.speed = rng.lognormvariate(0, 0.35)  # some cases are simply slower everywhere

    def hours(self, median: float) -> timedelta:
        return timedelta(hours=median * self.speed * self.rng.lognormvariate(0, 0.8))

    def event(self, at: datetime, kind: str, element: str | None = None, *, task: int | None = None,
              actor: int | None = None, message: str = "", data: dict[str, Any] | None = None) -> None:
        self.case.events.append((at, kind, element, task, actor, message, data))

    def stage(self, stage: Any, at: datetime) -> datetime:
        if isinstance(stage, str):
            return self.chain(stage, at)
        ends = [self.chain(c.lstrip("&"), at) for c in stage]
        held = [end for c, end in zip(stage, ends) if not c.startswith("&")]
        return max(held or ends)

    def chain(self, chain: str, at: datetime) -> datetime:
        for token in chain.split():
            if token.endswith("*"):
                ends = [self.task(token[:-1], at, code) for code in self.case.row["_targets"]]
                at = max(ends)
            elif token in self.steps:
                at = self.task(token, at, self.case.row["store_code"])
            elif "+" in token:
                element, hours = token.split("+")
                at += timedelta(hours=float(hours))
                self.event(at, "step", element)
            else:
                at += timedelta(seconds=1)
                self.event(at, "step", element=token)
        return at

    def task(self, element: str, created: datetime, store_code: str | None) -> datetime:
        name, role, due_h, wait_h, work_h, *late = self.steps[element]
        task_id = self.ids["task"] = self.ids["task"] + 1
        claimed = created + self.hours(wait_h)
        completed = claimed + self.hours(work_h)
        due = created + timedelta(hours=due_h) if due_h else None
        region = self.people.region_of(store_code) or self.case.row["region"]
        worker = self.people.pick(self.rng, role, store_code, region)
        self.case.tasks.append({
            "id": task_id, "instance_id": self.case.row["id"], "spiff_task_id": f"seed-{task_id}",
            "process_key": self.process, "element_id": element, "name": name, "lane_role": role,
            "store_code": store_code,
            "region": region, "form_file": f"{element}.json", "assignee_id": worker, "state": "completed",
            "priority": 3, "created_at": created, "claimed_at": claimed, "due_at": due,
            "completed_at": completed,
            "completed_by_id": worker, "draft": None})
        self.event(created, "task_created", element, task=task_id, message=name,
                   data={"role": role, "store_code": store_code})
        self.event(claimed, "task_claimed", element, task=task_id, actor=worker)
        self.event(completed, "task_completed", element, task=task_id, actor=worker, message=name)
        if late and due and completed > due:
            self.chain(late[0], due)
        return completed


class _People:
    """Who holds which role (and for which store or region), to name assignees and starters."""

    def __init__(self, session: Session, stores: Sequence[tuple[str, str, str]]) -> None:
        self.unscoped: dict[str, list[int]] = {}
        self.by_scope: dict[tuple[str, str], list[int]] = {}
        self.regions = {code: region for code, _, region in stores}
        for user_id, role, store_code, region in session.execute(
                select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.store_code,
                       RoleAssignment.region).join(User).where(User.active.is_(True))):
            if store_code or region:
                self.by_scope.setdefault((role, store_code or region), []).append(user_id)
            else:
                self.unscoped.setdefault(role, []).append(user_id)

    def region_of(self, store_code: str | None) -> str | None:
        return self.regions.get(store_code) if store_code else None

    def pick(self, rng: random.Random, role: str, store_code: str | None, region: str | None) -> int | None:
        """A holder of `role` for this store (store roles) or region (supervisors), else any unscoped one."""
        scope = (store_code if role in ("store_manager", "franchisee")
                 else region if role == "store_supervisor" else None)
        candidates = self.by_scope.get((role, scope or "")) or self.unscoped.get(role)
        return rng.choice(candidates) if candidates else None


def seed_history(session: Session, *, model: HistoryModel, cases: int, now: datetime, days: int = 730,
                 seed: int = 7, catalogue: Catalogue | None = None, chunk: int = 2000) -> SeedSummary:
    """Write `cases` simulated cases ending before or running at `now`; the caller commits.

    `model` describes the processes' paths and step durations (`workflows.history_paths`): the
    engine knows no process of its own."""
    PATHS, PREFIXES = model.PATHS, model.PREFIXES
    if cases < 1:
        raise InvalidData("at least one case", {"cases": "must be 1 or more"})
    now = now.astimezone(timezone.utc)
    versions = dict(session.execute(
        select(ProcessDefinition.key, ProcessVersion.id).join(ProcessVersion)
        .where(ProcessVersion.version == ProcessDefinition.latest_version,
               ProcessDefinition.key.in_(list(PATHS)))).all())
    if not versions:
        raise InvalidData("deploy the models first: none of " + ", ".join(PATHS) + " is deployed")
    rows = session.scalars(select(Store).order_by(Store.code)).all()
    stores = [(s.code, s.name, s.region) for s in rows]
    kinds = {s.code: s.kind for s in rows}
    if not stores:
        stores = list(model.FALLBACK_STORES)
        session.add_all(Store(code=c, name=n, region=r, city="") for c, n, r in stores)
        session.flush()
    people = _People(session, stores)
    catalogue = catalogue or OpenCatalogue()
    rng = random.Random(seed)
    ids = {name: session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0
           for name, model in (("case", ProcessInstance), ("task", HumanTask), ("event", AuditEvent))}
    keys = [k for k in PATHS if k in versions]
    policies = {k: _policy(session, k, versions[k], catalogue, PREFIXES) for k in keys}
    shares = [PATHS[k][0] for k in keys]
    summary = SeedSummary()
    span = timedelta(days=days)
    for first in range(0, cases, chunk):
        batch = []
        for n in range(first, min(cases, first + chunk)):
            process = rng.choices(keys, shares)[0]
            started = now - span + span * (n + rng.random()) / cases
            policy = policies[process]
            kind = policy.start_store_kind  # an expense claim is a direct store's
            pool = [s for s in stores if kinds.get(s[0], "direct") == kind] if kind else stores
            batch.append(_simulate(rng, process, versions[process], started, now, people, pool or stores, ids,
                                   policy, model))
        _write(session, batch, ids, summary)
    _advance_sequences(session)
    return summary


def _policy(session: Session, key: str, version_id: int, catalogue: Catalogue, prefixes: Mapping[str, str]
            ) -> ProcessPolicy:
    """The title, key prefix and store kind the deployed model declares (a catalogue's title
    override first; the seeder's own prefix when the model names none)."""
    try:
        declared = version_policy(session, version_id)
    except EngineError:  # a version stored without its model (a test's bare row): the seeder's prefix
        declared = ProcessPolicy(key=key)
    found = catalogue.policy(key)
    if found is not None and found.title_template:
        declared = replace(declared, title_template=found.title_template)
    if declared.business_key_prefix == ProcessPolicy.business_key_prefix:
        return replace(declared, business_key_prefix=prefixes[key])
    return declared


def _simulate(rng: random.Random, process: str, version_id: int, started: datetime, now: datetime,
              people: _People, stores: Sequence[tuple[str, str, str]], ids: dict[str, int],
              policy: ProcessPolicy, model: HistoryModel) -> _Case:
    ids["case"] += 1
    store_code, store_name, region = rng.choice(stores)
    data, fallback, targets = model.start_data(rng, process, store_code, store_name, stores, started.date())
    title = policy.title(data, fallback) if policy.title_template else fallback
    if process == "new_product_launch":
        store_code, region = None, None
    starter = (people.pick(rng, model.STARTERS[process], store_code, region)
               or people.pick(rng, "store_manager", store_code, region))
    row = {"id": ids["case"], "version_id": version_id, "process_key": process, "title": title,
           "business_key": policy.business_key(ids["case"], started), "status": "running", "outcome": None,
           "store_code": store_code, "region": region, "started_by_id": starter, "started_at": started,
           "updated_at": started, "ended_at": None, "next_timer_at": None, "last_error": None,
           "serializer_version": SEED_MARK, "state": "", "lock_version": 1, "_targets": targets}
    case = _Case(row)
    sim = _Simulator(rng, process, people, case, ids, model)
    sim.event(started, "started", actor=starter, message=title, data=data)
    weights = [p[0] for p in model.PATHS[process][1]]
    _, outcome, stages = rng.choices(model.PATHS[process][1], weights)[0]
    at = started
    for stage in stages:
        at = sim.stage(stage, at)
    end = max(e[0] for e in case.events)
    sim.event(end, "outcome", message=outcome, data={"outcome": outcome})
    sim.event(end, "completed", message=outcome)
    stop = None
    if rng.random() < 0.012:  # a supervisor ended it half-way
        stop = started + (end - started) * rng.uniform(0.1, 0.9)
    _cut(rng, case, min(now, stop) if stop else now, terminated=stop is not None and stop < now,
         suspend=rng.random() < 0.01, outcome=outcome, people=people)
    return case


def _cut(rng: random.Random, case: _Case, cut: datetime, *, terminated: bool, suspend: bool, outcome: str,
         people: _People) -> None:
    """Keep what happened before `cut`; the rest of the case has not happened yet (or never will)."""
    row = case.row
    events = [e for e in case.events if e[0] <= cut]
    done = any(e[1] == "completed" for e in events)
    tasks = []
    for t in case.tasks:
        if t["created_at"] > cut:
            continue
        if t["completed_at"] > cut:
            t["completed_at"] = t["completed_by_id"] = None
            t["state"] = "open"
            if t["claimed_at"] > cut:
                t["claimed_at"] = t["assignee_id"] = None
        tasks.append(t)
    actor = people.pick(rng, "ops_director", None, None)
    if done:
        row.update(status="completed", outcome=outcome, ended_at=max(e[0] for e in events))
    elif terminated:
        for t in tasks:
            if t["state"] == "open":
                t.update(state="cancelled", completed_at=cut)
                events.append((cut, "task_cancelled", t["element_id"], t["id"], None, t["name"], None))
        events.append((cut, "terminated", None, None, actor,
                       rng.choice(("客户撤回", "重复申请", "门店计划取消", "信息有误，重新发起")), None))
        row.update(status="terminated", outcome="terminated", ended_at=cut)
    elif suspend:
        events.append((max(e[0] for e in events), "suspended", None, None, actor, "等待供应商确认", None))
        row["status"] = "suspended"
    events.sort(key=itemgetter(0))
    row["updated_at"] = events[-1][0]
    case.events, case.tasks = events, tasks


def _write(session: Session, batch: Iterable[_Case], ids: dict[str, int], summary: SeedSummary) -> None:
    rows: list[tuple[Any, ...]] = []
    tasks: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for case in batch:
        rows.append(tuple(case.row[c] for c in CASE_COLUMNS))
        tasks.extend(tuple(t[c] for c in TASK_COLUMNS) for t in case.tasks)
        for at, kind, element, task, actor, message, data in case.events:
            ids["event"] += 1
            events.append((ids["event"], case.row["id"], task, kind, element, actor, at, message, data))
        summary.cases += 1
        summary.running += case.row["status"] in ("running", "suspended")
        summary.open_tasks += sum(t["state"] == "open" for t in case.tasks)
        key = case.row["process_key"]
        summary.by_process[key] = summary.by_process.get(key, 0) + 1
    summary.tasks += len(tasks)
    summary.events += len(events)
    _bulk_insert(session, ProcessInstance.__table__, CASE_COLUMNS, rows)
    _bulk_insert(session, HumanTask.__table__, TASK_COLUMNS, tasks)
    _bulk_insert(session, AuditEvent.__table__, EVENT_COLUMNS, events)


def _bulk_insert(session: Session, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert through the driver: SQLAlchemy's per-value processing would triple the seeding time.

    Values are converted the way the mapped types store them: UTC datetimes without zone (in
    SQLAlchemy's SQLite text format there), JSON as text. PostgreSQL gets COPY, SQLite executemany.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        session.execute(insert(table), [dict(zip(columns, row)) for row in rows])
        return
    kinds = [_kind(table.c[c].type) for c in columns]
    values = [[v if v is None or k == "plain" else _convert(v, k, dialect) for v, k in zip(row, kinds)]
              for row in rows]
    raw = session.connection().connection.dbapi_connection
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = raw.cursor()
    try:
        if dialect == "postgresql":
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)
    finally:
        cursor.close()


def _advance_sequences(session: Session) -> None:
    """Explicit ids bypass PostgreSQL's sequences; move them past the seeded rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("process_instance", "human_task", "audit_event"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def _kind(type_: Any) -> str:
    if isinstance(type_, UTCDateTime):
        return "datetime"
    return "json" if isinstance(type_, JSON) else "plain"


def _convert(value: Any, kind: str, dialect: str) -> Any:
    if kind == "json":
        return json.dumps(value, ensure_ascii=False)
    naive = value.replace(tzinfo=None)  # every seeded time is derived from `now` in UTC
    return naive if dialect == "postgresql" else naive.isoformat(" ", "microseconds")
