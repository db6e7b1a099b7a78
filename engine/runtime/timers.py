"""Firing due timers, and the scheduler thread that does it inside the server process.

Each instance records when its next timer is due (`next_timer_at`, indexed), so finding due work is
one indexed query. Every due instance is fired in its own transaction; on PostgreSQL the row is
taken with `FOR UPDATE SKIP LOCKED`, so several schedulers never fire one timer twice. A case whose
timer step fails gets an incident and leaves the due list (it is no longer running).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import ConcurrentUpdate
from engine.models import RUNNING, ProcessInstance

from .background import fire_timers_of, hold_due
from .engine import Engine

log = logging.getLogger(__name__)


def due_instance_ids(session: Session, now: datetime, limit: int) -> list[int]:
    return list(session.scalars(
        select(ProcessInstance.id).where(ProcessInstance.status == RUNNING,
                                         ProcessInstance.next_timer_at <= now)
        .order_by(ProcessInstance.next_timer_at).limit(limit)))


def fire_due_timers(engine: Engine, sessions: Callable[[], Session], now: datetime | None = None,
                    limit: int = 200) -> int:
    """Fire every timer due at `now` (the engine's clock by default); return how many cases moved.

    A case whose step fails stops on an incident (`background`) and is not taken again until an
    administrator retries it; the others go on."""
    now = now or engine.clock()
    with sessions() as session:
        ids = due_instance_ids(session, now, limit)
    fired = 0
    for instance_id in ids:
        with sessions() as session:
            try:
                if not hold_due(session, instance_id, now):
                    session.rollback()
                    continue
                fired += fire_timers_of(engine, session, instance_id, now)
            except ConcurrentUpdate:
                session.rollback()
    return fired


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
