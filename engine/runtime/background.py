"""Steps the server runs for a case with nobody waiting for the answer: due timers, and messages
that other systems deliver.

Each step runs in a transaction of its own, on the case's row held until it commits. When the model
makes the step fail (a script error, data over the size limit, a decision without a matching rule,
anything else the step raises), the step's transaction is rolled back and the failure becomes an
incident on the case (`incidents`) in the next one, which stops the case there: the scheduler does
not fail on it again at every tick, and the other cases go on. Only the database being unreachable
stops the whole run.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import ConcurrentUpdate, EngineError, ProcessError
from engine.models import RUNNING, ProcessInstance

from . import incidents
from .engine import Engine
from .incidents import MESSAGE, TIMER

log = logging.getLogger(__name__)

#: Failures of the database itself, not of the case: they end the run and the next run tries again.
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def run_step(session: Session, instance_id: int, job: str, step: Callable[[], bool],
             hold: Callable[[bool], bool], now: datetime, job_data: dict[str, Any] | None = None) -> bool:
    """Run `step` (True: the case moved) on a case whose row the caller took with `hold`, and
    commit; when it fails, roll it back and commit an incident instead. True only if the case moved.

    `hold(wait)` takes the case's row for this transaction if the step is still due (on PostgreSQL
    with FOR UPDATE, waiting for it when `wait`): the failure is recorded only if nobody else has
    dealt with the case meanwhile."""
    try:
        moved = step()
    except (ConcurrentUpdate, *UNAVAILABLE):
        session.rollback()
        raise
    except EngineError as exc:
        session.rollback()
        if not isinstance(exc, ProcessError):
            raise
        failure = incidents.failure_of(exc)
    except Exception as exc:
        session.rollback()
        log.exception("case %s: %s step failed unexpectedly", instance_id, job)
        failure = incidents.failure_of(exc)
    else:
        if moved:
            session.commit()
        else:
            session.rollback()
        return moved
    try:
        incident = (incidents.open_incident(session, instance_id, job, failure, now, job_data)
                    if hold(True) else None)
        session.commit()
    except StaleDataError:  # changed by another command after all: it is theirs now
        session.rollback()
        return False
    if incident is not None:
        log.warning("case %s stopped on incident %s: %s", instance_id, incident.id, failure.text)
    return False


def hold_due(session: Session, instance_id: int, now: datetime, wait: bool = False) -> bool:
    """Is the case running with a timer due at `now`, and (on PostgreSQL) is its row now ours until
    commit? Without `wait`, a row another transaction holds counts as not due (SKIP LOCKED)."""
    return held_due_at(session, instance_id, now, wait) is not None


def held_due_at(session: Session, instance_id: int, now: datetime, wait: bool = False) -> datetime | None:
    """`hold_due`, answering when the timer was due (the firing's lag is measured from it) or None."""
    query = select(ProcessInstance.next_timer_at).where(ProcessInstance.id == instance_id,
                                                        ProcessInstance.status == RUNNING,
                                                        ProcessInstance.next_timer_at <= now)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=not wait)
    return session.scalar(query)


def hold_running(session: Session, instance_id: int) -> bool:
    """Is the case running, and (on PostgreSQL) is its row now ours until commit?"""
    query = select(ProcessInstance.id).where(ProcessInstance.id == instance_id,
                                             ProcessInstance.status == RUNNING)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query) is not None


def deliver_message(engine: Engine, sessions: Callable[[], Session], instance_id: int, name: str,
                    payload: Any = None, now: datetime | None = None) -> bool:
    """Deliver a message from another system to a case, in a transaction of its own. Refusals that
    concern the sender (no such case, the case does not wait for this message) are raised; a
    failure of the model becomes an incident, and a retry delivers the same message again."""
    now = now or engine.clock()
    with sessions() as session:
        hold_running(session, instance_id)
        return run_step(session, instance_id, MESSAGE,
                        lambda: bool(engine.send_message(session, instance_id, name, payload)),
                        lambda wait: hold_running(session, instance_id), now,
                        {"name": name, "payload": payload})


def fire_timers_of(engine: Engine, session: Session, instance_id: int, now: datetime) -> bool:
    """One case's due timers, for the scheduler, which has taken the case's row with `hold_due`."""
    return run_step(session, instance_id, TIMER, lambda: engine.fire_timers(session, instance_id, now),
                    lambda wait: hold_due(session, instance_id, now, wait), now)
