"""An administrator pausing and resuming a schedule (`/admin/schedules`).

A paused schedule is not scanned; resumed, it goes on from its first period at or after the
moment of resuming, so the periods it was paused over do not fire (a pause is a decision, not
downtime). Each change is conditional on the state the administrator saw, and audited."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.access.admin import record_change, require_admin
from engine.bpmn.schedules import schedule_views
from engine.bpmn.timer_rules import parse_rule
from engine.errors import Conflict, NotFound
from engine.models import Schedule, User
from engine.views import ScheduleView

from .engine import Engine


def _schedule(session: Session, schedule_id: int) -> Schedule:
    schedule = session.get(Schedule, schedule_id)
    if schedule is None or not schedule.active:
        raise NotFound(f"schedule {schedule_id} does not exist")
    return schedule


def pause_schedule(engine: Engine, session: Session, user: User, schedule_id: int) -> ScheduleView:
    require_admin(user)
    schedule = _schedule(session, schedule_id)
    now = engine.clock()
    changed = session.execute(update(Schedule).where(Schedule.id == schedule_id, Schedule.paused.is_(False))
                              .values(paused=True, updated_at=now)
                              .execution_options(synchronize_session=False))
    if getattr(changed, "rowcount", 0) != 1:
        raise Conflict(f"schedule {schedule_id} is already paused")
    record_change(session, user, "schedule_paused", f"{schedule.process_key}/{schedule.element_id}",
                  {"paused": [False, True]}, now=now)
    session.refresh(schedule)
    return schedule_views(session, [schedule])[0]


def resume_schedule(engine: Engine, session: Session, user: User, schedule_id: int) -> ScheduleView:
    require_admin(user)
    schedule = _schedule(session, schedule_id)
    now = engine.clock()
    next_run = parse_rule(schedule.kind, schedule.rule).first_at_or_after(now)
    changed = session.execute(update(Schedule).where(Schedule.id == schedule_id, Schedule.paused.is_(True))
                              .values(paused=False, next_run=next_run, updated_at=now)
                              .execution_options(synchronize_session=False))
    if getattr(changed, "rowcount", 0) != 1:
        raise Conflict(f"schedule {schedule_id} is not paused")
    record_change(session, user, "schedule_resumed", f"{schedule.process_key}/{schedule.element_id}",
                  {"paused": [True, False], "next_run": next_run.isoformat() if next_run else None}, now=now)
    session.refresh(schedule)
    return schedule_views(session, [schedule])[0]
