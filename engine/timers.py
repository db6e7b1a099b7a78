"""Firing due timers, and the scheduler thread that does it inside the server process.

Each instance records when its next timer is due (`next_timer_at`, indexed), so finding due work is
one indexed query. Every due instance is fired in its own transaction; on PostgreSQL the row is
taken with `FOR UPDATE SKIP LOCKED`, so several schedulers never fire one timer twice.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import ConcurrentUpdate, ProcessError
from .models import ERROR, RUNNING, AuditEvent, ProcessInstance
from .runtime import Engine

log = logging.getLogger(__name__)


def due_instance_ids(session: Session, now: datetime, limit: int) -> list[int]:
    return list(session.scalars(
        select(ProcessInstance.id).where(ProcessInstance.status == RUNNING,
                                         ProcessInstance.next_timer_at <= now)
        .order_by(ProcessInstance.next_timer_at).limit(limit)))


def _lock_due(session: Session, instance_id: int, now: datetime) -> bool:
    """Is the case still due, and (on PostgreSQL) is its row now ours until commit?"""
    query = select(ProcessInstance.id).where(ProcessInstance.id == instance_id, ProcessInstance.status == RUNNING,
                                             ProcessInstance.next_timer_at <= now)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query) is not None


def fire_due_timers(engine: Engine, sessions: Callable[[], Session], now: datetime | None = None,
                    limit: int = 200) -> int:
    """Fire every timer due at `now` (the engine's clock by default); return how many cases moved."""
    now = now or engine.clock()
    with sessions() as session:
        ids = due_instance_ids(session, now, limit)
    fired = 0
    for instance_id in ids:
        with sessions() as session:
            try:
                if not _lock_due(session, instance_id, now):
                    session.rollback()
                    continue
                if not engine.fire_timers(session, instance_id, now):
                    session.rollback()
                    continue
                session.commit()
                fired += 1
            except ConcurrentUpdate:
                session.rollback()
            except ProcessError as exc:
                session.rollback()
                _mark_failed(session, instance_id, str(exc), exc.element, now)
    return fired


def _mark_failed(session: Session, instance_id: int, message: str, element: str | None, now: datetime) -> None:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        return
    instance.status, instance.last_error, instance.next_timer_at, instance.updated_at = ERROR, message, None, now
    session.add(AuditEvent(instance_id=instance_id, event_type="error", element_id=element, at=now,
                           message=message))
    session.commit()
    log.warning("case %s failed while firing a timer: %s", instance_id, message)


class TimerScheduler:
    """A daemon thread that fires due timers every `interval` seconds until stopped."""

    def __init__(self, engine: Engine, sessions: Callable[[], Session], interval: float = 15.0) -> None:
        self.engine, self.sessions, self.interval = engine, sessions, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="opsflow-timers", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                fired = fire_due_timers(self.engine, self.sessions)
                if fired:
                    log.info("fired timers of %d case(s)", fired)
            except Exception:  # keep the scheduler alive; the error is logged with its traceback
                log.exception("timer scheduler run failed")
