"""Due timers taken in leased batches: several workers share them, each case fires once, and the
cases a dead worker held are fired by another once its leases have expired (`runtime.leases`)."""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.db import make_sessions, make_sql_engine
from engine.models import TIMER_JOB, AuditEvent, HumanTask, JobLease, ProcessInstance
from engine.runtime.leases import held, release, take
from engine.runtime.timers import due_timers, fire_due_timers, fire_one

RACED = 240  # cases with a due timer in the race: several batches of each worker


def start_cases(engine, session, people, count: int) -> list[int]:
    """`count` escalation cases whose 24 h reminder is due a day later."""
    m1 = people["manager_sh001"]
    ids = [engine.start(session, "escalation", m1, {"store_code": "SH001", "amount": n}).id
           for n in range(count)]
    session.commit()
    return ids


def fired_once(session, ids: list[int]) -> dict[str, Any]:
    """What the timer left per case: its step events and nudge tasks, counted per case."""
    session.expire_all()
    steps = dict(session.execute(select(AuditEvent.instance_id, func.count()).where(
        AuditEvent.event_type == "step", AuditEvent.element_id == "remind_fix")
        .group_by(AuditEvent.instance_id)).all())
    nudges = dict(session.execute(select(HumanTask.instance_id, func.count()).where(
        HumanTask.element_id == "nudge").group_by(HumanTask.instance_id)).all())
    still_due = session.scalar(select(func.count()).select_from(ProcessInstance).where(
        ProcessInstance.id.in_(ids), ProcessInstance.next_timer_at.is_not(None)))
    return {"steps": sorted(set(steps.values())), "nudges": sorted(set(nudges.values())),
            "fired": len(nudges), "still_due": still_due}


def test_two_workers_racing_fire_every_timer_once(engine, db_url, session, people, deployed, clock):
    ids = start_cases(engine, session, people, RACED)
    now = clock.advance(hours=25)
    sql_engines = [make_sql_engine(db_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    fired: dict[str, int] = {}
    errors: list[BaseException] = []

    def worker(name: str, sql_engine: Any) -> None:
        try:
            barrier.wait(timeout=10)
            fired[name] = fire_due_timers(engine, make_sessions(sql_engine), now, limit=20, holder=name,
                                          drain=True)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"w{n}", e)) for n, e in enumerate(sql_engines)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for e in sql_engines:
        e.dispose()
    assert not errors, errors
    assert sum(fired.values()) == RACED
    if db_url.startswith("postgresql"):  # SKIP LOCKED: both took batches at the same time
        assert min(fired.values()) > 0, fired
    assert fired_once(session, ids) == {"steps": [1], "nudges": [1], "fired": RACED, "still_due": 0}
    assert held(session) == []


def test_a_dead_workers_cases_wait_for_its_lease_then_fire_once(engine, sessions, session, people, deployed,
                                                                clock):
    ids = start_cases(engine, session, people, 12)
    now = clock.advance(hours=25)
    lease = timedelta(minutes=5)
    with sessions() as s:  # the worker that dies: it takes 8, fires 3, never gives them back
        taken = take(s, TIMER_JOB, due_timers(now, 8), "dead", now, lease)
    assert len(taken) == 8
    assert [fire_one(engine, sessions, i, now) for i in taken[:3]] == [True] * 3

    assert fire_due_timers(engine, sessions, now, holder="alive", drain=True) == 4  # the unleased ones
    assert fired_once(session, ids)["fired"] == 7
    later = now + lease  # the lease has run out: the 5 it had not fired are taken and fired
    assert fire_due_timers(engine, sessions, later, holder="alive", drain=True) == 5
    assert fired_once(session, ids) == {"steps": [1], "nudges": [1], "fired": 12, "still_due": 0}
    assert held(session) == []  # the expired leases were cleared, the live ones given back


def test_a_case_taken_again_after_it_fired_is_a_no_op(engine, sessions, session, people, deployed, clock,
                                                       dump):
    [case_id] = start_cases(engine, session, people, 1)
    now = clock.advance(hours=25)
    assert fire_one(engine, sessions, case_id, now) is True
    before = dump(session)
    # the worker that fired it died before giving back its lease; another takes the case anyway
    assert fire_one(engine, sessions, case_id, now + timedelta(minutes=10)) is False
    assert engine.fire_timers(session, case_id, now + timedelta(minutes=10)) is False
    session.rollback()
    assert dump(session) == before


def test_a_stale_read_of_a_case_fired_meanwhile_is_refused(engine, sessions, session, people, deployed, clock,
                                                           overtake):
    """The engine's own guard: a worker that read the case before another fired it writes nothing."""
    from engine.errors import ConcurrentUpdate
    [case_id] = start_cases(engine, session, people, 1)
    now = clock.advance(hours=25)
    overtake("load", lambda other: engine.fire_timers(other, case_id, now))
    with pytest.raises(ConcurrentUpdate):
        with sessions() as s:
            engine.fire_timers(s, case_id, now)
            s.commit()
    assert fired_once(session, [case_id]) == {"steps": [1], "nudges": [1], "fired": 1, "still_due": 0}


def test_a_stop_between_cases_finishes_the_case_and_gives_back_the_batch(engine, sessions, session, people,
                                                                         deployed, clock):
    ids = start_cases(engine, session, people, 10)
    now = clock.advance(hours=25)
    done: list[int] = []

    def stop() -> bool:  # asked for while the third case fires
        done.append(1)
        return len(done) > 4  # asked once before the batch, then before each case
    assert fire_due_timers(engine, sessions, now, holder="w", drain=True, stop=stop) == 3
    assert fired_once(session, ids)["fired"] == 3
    assert held(session) == []
    assert fire_due_timers(engine, sessions, now, holder="other") == 7


def test_a_lease_another_worker_holds_is_not_taken_nor_released(sessions, session, clock):
    now = clock()
    from sqlalchemy import literal
    with sessions() as s:
        s.add(JobLease(kind=TIMER_JOB, job_id=7, holder="a", expires_at=now + timedelta(minutes=1)))
        s.commit()
    with sessions() as s:
        assert take(s, TIMER_JOB, select(literal(7)), "b", now, timedelta(minutes=1)) == []
    with sessions() as s:
        assert release(s, TIMER_JOB, [7], "b") == 0
        s.commit()
    with sessions() as s:
        assert take(s, TIMER_JOB, select(literal(7)), "b", now + timedelta(minutes=1),
                    timedelta(minutes=1)) == [7]
    assert [(k, j, h) for k, j, h, _ in held(session)] == [(TIMER_JOB, 7, "b")]
