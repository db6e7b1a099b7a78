"""Firing due timers, in batches taken under leases, and the scheduler thread that does it inside the
server process.

Each case records when its next timer is due (`next_timer_at`, indexed), so finding due work is one
indexed query. A worker takes a batch of due cases under leases (`leases`: `FOR UPDATE SKIP LOCKED`
on PostgreSQL, so several workers share the work), then fires each case in its own transaction with
its row held and its due time checked again, so a case is fired once even when its lease ran out
and another worker took it. A case whose timer step fails gets an incident and leaves the due list
(it is no longer running). The batch's leases are given back when it is done; a worker killed
mid-batch leaves them to expire, and another worker then takes what it had not fired.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.errors import ConcurrentUpdate
from engine.models import RUNNING, TIMER_JOB, ProcessInstance

from .background import fire_timers_of, held_due_at
from .engine import Engine
from .leases import release, take, unleased

log = logging.getLogger(__name__)

#: How long a worker holds the cases of a batch it took (a few hundred firings take seconds).
LEASE = timedelta(minutes=5)
BATCH = 200


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def due_timers(now: datetime, limit: int) -> Select[Any]:
    """The running cases with a timer due at `now` and no live lease, the most overdue first."""
    return (select(ProcessInstance.id)
            .where(ProcessInstance.status == RUNNING, ProcessInstance.next_timer_at <= now,
                   unleased(TIMER_JOB, ProcessInstance.id, now))
            .order_by(ProcessInstance.next_timer_at).limit(limit))


def due_instance_ids(session: Session, now: datetime, limit: int) -> list[int]:
    return list(session.scalars(due_timers(now, limit)))


def fire_one(engine: Engine, sessions: Callable[[], Session], instance_id: int, now: datetime,
             on_fired: Callable[[datetime], None] | None = None) -> bool:
    """One case's due timers in a transaction of its own: False when the case is not due any more
    (fired by another worker, ended). The case's row is waited for: whoever holds it (a command, a
    take that selected it but lost its lease to this worker) holds it briefly, and the due time is
    read again once it is ours; `on_fired(due time)` is told when the case moved."""
    with sessions() as session:
        try:
            due = held_due_at(session, instance_id, now, wait=True)
            if due is None:
                session.rollback()
                return False
            moved = fire_timers_of(engine, session, instance_id, now)
        except ConcurrentUpdate:
            session.rollback()
            return False
    if moved and on_fired is not None:
        on_fired(due)
    return moved


def fire_due_timers(engine: Engine, sessions: Callable[[], Session], now: datetime | None = None,
                    limit: int = BATCH, *, holder: str | None = None, lease: timedelta = LEASE,
                    drain: bool = False, stop: Callable[[], bool] = lambda: False,
                    on_lag: Callable[[float], None] | None = None) -> int:
    """Fire the timers due at `now` (the engine's clock by default) of one batch of `limit` cases,
    or with `drain` batch after batch until none is due; how many cases moved. `on_lag(seconds)` is
    told, for each case that moved, how long after its due time it fired (the clock then − due), so
    that a worker can keep the figures of its firings (the engine keeps no metrics).

    `stop()` is asked between cases: the case being fired is finished, the rest of the batch given
    back. A case whose step fails stops on an incident (`background`) and is not taken again until
    an administrator retries it; the others go on."""
    clock = engine.clock if now is None else (lambda: now)
    holder = holder or default_holder()
    fired = 0
    seen: set[int] = set()
    while not stop():
        at = clock()  # read again for each batch: a lease runs from when its batch was taken
        with sessions() as session:
            ids = take(session, TIMER_JOB, due_timers(at, limit), holder, at, lease)
        fresh = [i for i in ids if i not in seen]
        try:
            for instance_id in fresh:
                if stop():
                    break
                seen.add(instance_id)
                fired += fire_one(engine, sessions, instance_id, at, None if on_lag is None else
                                  lambda due: on_lag(max(0.0, (clock() - due).total_seconds())))
        finally:
            with sessions() as session:
                release(session, TIMER_JOB, ids, holder)
                session.commit()
        if not drain or not fresh:  # a short batch is no sign of the end: other workers hold the rest
            break
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
                fired = fire_due_timers(self.engine, self.sessions, drain=True, stop=self._stop.is_set)
                if fired:
                    log.info("fired timers of %d case(s)", fired)
            except Exception:  # keep the scheduler alive; the error is logged with its traceback
                log.exception("timer scheduler run failed")
