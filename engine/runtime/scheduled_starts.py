"""Scheduled starts, run by the background runner: each due schedule's period starts its cases once.

A period is claimed by inserting its (schedule, period) row, as the reminders claim theirs
(`claims`): a second scheduler racing for it finds the row taken (on PostgreSQL it waits for the
first one's transaction, then finds it) and starts nothing. The claim, the cases and the schedule
moving on are one transaction: a worker killed midway leaves nothing behind, and the next scan of
any worker fires the period (work that is one transaction needs no lease). After downtime only the
latest missed period fires; the older ones are counted on its row as skipped, since a month's
stocktake started three times on the same morning helps nobody. Each case starts in a savepoint of
the period's transaction: a store whose case fails to start is logged and counted, and the others
start.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine.access.admin import record_change
from engine.bpmn.retirement import is_retired, refuse_retired
from engine.bpmn.schedules import STORES, open_timer_starts
from engine.bpmn.timer_rules import DATE, parse_rule
from engine.db import is_lock_conflict
from engine.models import RUNNING, Schedule, ScheduleRun, Store

from . import approvers, case_rows, rollups
from .audit import pending_events
from .case_rows import CaseRow
from .engine import Engine
from .steps import advance, record

log = logging.getLogger(__name__)

#: Who a scheduled case was started by (it has no person behind it).
SYSTEM_ACTOR = "system"


def due_schedules(session: Session, now: datetime, limit: int = 50) -> list[int]:
    return list(session.scalars(
        select(Schedule.id).where(Schedule.active.is_(True), Schedule.paused.is_(False),
                                  Schedule.next_run <= now).order_by(Schedule.next_run).limit(limit)))


def run_schedules(engine: Engine, sessions: Callable[[], Session], now: datetime | None = None) -> int:
    """Fire every schedule due at `now` (the engine's clock by default), each in its own transaction;
    how many cases started."""
    now = now or engine.clock()
    with sessions() as session:
        ids = due_schedules(session, now)
    started = 0
    for schedule_id in ids:
        with sessions() as session:
            try:
                started += fire_schedule(engine, session, schedule_id, now)
                session.commit()
            except OperationalError as exc:  # another scheduler holds the period: it fires it
                session.rollback()
                if not is_lock_conflict(exc):
                    raise
    return started


def _claim(session: Session, schedule_id: int, period: datetime, now: datetime) -> int | None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(ScheduleRun.__table__).on_conflict_do_nothing().returning(ScheduleRun.id)
    got = session.connection().execute(statement, [{"schedule_id": schedule_id, "period": period,
                                                     "fired_at": now, "cases": 0, "failed": 0, "skipped": 0}])
    return got.scalar()


def fire_schedule(engine: Engine, session: Session, schedule_id: int, now: datetime) -> int:
    """Start the cases of the schedule's latest period due at `now`, if no one has; the caller
    commits. How many cases started."""
    schedule = session.get(Schedule, schedule_id)
    if (schedule is None or not schedule.active or schedule.paused or schedule.next_run is None
            or schedule.next_run > now):
        return 0
    rule = parse_rule(schedule.kind, schedule.rule)
    latest = rule.index_at_or_before(now)
    first = rule.index_at_or_before(schedule.next_run)
    period = rule.period(latest)
    run_id = _claim(session, schedule.id, period, now)
    if run_id is None:
        return 0  # another scheduler fired this period; it moves the schedule on
    started, failed = 0, 0
    retired = is_retired(session, schedule.process_key)  # the period passes without a case
    for data in [] if retired else _starts(session, schedule):
        savepoint = session.begin_nested()
        try:
            start_scheduled(engine, session, schedule, period, data)
            savepoint.commit()
            started += 1
        except Exception:  # one store's case failing to start does not hold up the others'
            savepoint.rollback()
            pending_events(session).clear()
            failed += 1
            log.exception("schedule %s (%s): a case for %s failed to start", schedule.id,
                          schedule.process_key, data.get("store_code") or "no store")
    run = session.get(ScheduleRun, run_id)
    assert run is not None
    run.cases, run.failed, run.skipped = started, failed, max(0, latest - first)
    run.skipped_from = rule.period(first) if latest > first else None
    following = latest + 1
    last = rule.last_index()
    schedule.next_run = None if rule.kind == DATE or (last is not None and following > last) \
        else rule.period(following)
    schedule.last_period, schedule.last_run_at, schedule.last_cases = period, now, started
    record_change(session, None, "schedule_fired", f"{schedule.process_key}/{schedule.element_id}",
                  {"period": period.isoformat(), "cases": started, "failed": failed, "skipped": run.skipped,
                   **({"retired": True} if retired else {})}, now=now)
    return started


def _starts(session: Session, schedule: Schedule) -> list[dict[str, Any]]:
    """The start data of each case the period starts: one, or one per matching store (and one more
    whose `store_code` is empty when the model says so, so a script can tell it from a store's)."""
    target = schedule.start_for or {}
    if target.get("for") != STORES:
        return [{}]
    query = select(Store.code).where(Store.status == target.get("status", "open")).order_by(Store.code)
    if target.get("kind"):
        query = query.where(Store.kind == target["kind"])
    if target.get("region"):
        query = query.where(Store.region == target["region"])
    found: list[dict[str, Any]] = [{"store_code": code} for code in session.scalars(query)]
    return found + ([{"store_code": ""}] if target.get("plus_one") else [])


def start_scheduled(engine: Engine, session: Session, schedule: Schedule, period: datetime,
                    data: dict[str, Any]) -> int:
    """Start one case of `schedule` for `period` with `data` (its store, if any), as the system: the
    model declared the start, so no person's permission is asked. The case's id."""
    refuse_retired(session, schedule.process_key)
    version = engine.latest_version(session, schedule.process_key)
    policy = engine.policy(schedule.process_key, session)
    parsed = engine.process(session, version.id)
    store = session.get(Store, data["store_code"]) if data.get("store_code") else None
    local = period.astimezone(engine.zone)
    clean = {**data, "scheduled_period": local.isoformat(), "scheduled_by": schedule.element_id}
    now = engine.clock()
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=engine.script_engine)
    open_timer_starts(workflow)
    start_task = workflow.get_next_task(state=TaskState.READY)
    start_task.data.update(clean)
    start_task.data["started_by"] = SYSTEM_ACTOR
    case = CaseRow(
        version_id=version.id, version=version.version, process_key=schedule.process_key,
        title=policy.title(clean, parsed.name), status=RUNNING,
        store_code=store.code if store else None, region=store.region if store else None,
        started_by_id=None, started_by=SYSTEM_ACTOR, started_at=now, updated_at=now, state="")
    case_rows.insert_case(session, case)
    rollups.count_case_start(session, case, engine.zone)
    case.business_key = policy.business_key(case.id, now.astimezone(engine.zone))
    record(session, case, "started", None, now, message=case.title,
           data={**clean, "schedule_id": schedule.id})
    approvers.attach(workflow, session, case.store_code, case.region)
    advance(session, case, workflow, None, engine.run_for(case))
    return case.id
