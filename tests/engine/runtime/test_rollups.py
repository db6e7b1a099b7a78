"""The dashboard's rollup cells kept by the commands equal the cells rebuilt from the case and task
tables, after any mix of commands, and two commands counting into the same cells at once lose nothing."""
from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import select

from engine import Conflict
from engine.models import HumanTask, ProcessInstance, RollupCell
from engine.models.rollups import ALL, CYCLE, DAY, DEKAD, MONTH, STARTED, WAIT, WORK, bucket, cover
from engine.runtime import rebuild_rollups, withdraw

STARTERS = {"SH001": "manager_sh001", "SH002": "manager_sh002"}


def cells(session) -> dict[tuple, tuple]:
    """Every cell that counts something, by key: (n, hours, low, high, due, on_time)."""
    found = {}
    for c in session.scalars(select(RollupCell)):
        if c.n:
            key = (c.measure, c.span, c.start, c.process_key, c.element_id, c.region, c.store_code, c.bucket)
            found[key] = (c.n, pytest.approx(c.hours), pytest.approx(c.low), pytest.approx(c.high), c.due,
                          c.on_time)
    return found


def rebuilt(engine, session) -> dict[tuple, tuple]:
    rebuild_rollups(session, engine.zone)
    session.flush()
    return cells(session)


def _start(engine, session, people, store):
    data = {"store_code": store, "amount": 120}
    return engine.start(session, "lanes_gateway", people[STARTERS[store]], data)


def test_a_random_mix_of_commands_keeps_the_cells_equal_to_a_rebuild(engine, session, people, deployed,
                                                                     clock):
    rng = random.Random(13)
    running: list[int] = []
    for _ in range(40):
        clock.advance(hours=rng.choice([0.2, 3, 11, 30, 90]))
        move = rng.random()
        if move < 0.3 or not running:
            running.append(_start(engine, session, people, rng.choice(list(STARTERS))).id)
        else:
            case_id = rng.choice(running)
            open_tasks = _open_tasks(session, case_id)
            if move < 0.45:
                engine.terminate(session, case_id, people["director"], "closing the store")
            elif move < 0.55:
                withdraw(engine, session, case_id, people[_starter(session, case_id)], "not needed")
            elif open_tasks and open_tasks[0].element_id == "report":
                task = open_tasks[0]
                if rng.random() < 0.5:
                    engine.claim(session, task.id, people[_starter(session, case_id)])
                    clock.advance(hours=rng.choice([0.5, 2, 20]))
                engine.complete(session, task.id, people[_starter(session, case_id)], {"summary": "ok"})
            elif open_tasks:
                decision = {"approved": rng.random() < 0.5}
                engine.complete(session, open_tasks[0].id, people["director"], decision)
            status = _status(session, case_id)
            if status in ("completed", "terminated", "withdrawn"):
                running.remove(case_id)
        session.commit()
    kept = cells(session)
    measures = {key[0] for key in kept}
    assert {STARTED, "ended", CYCLE, WAIT, WORK} <= measures
    assert {key[1] for key in kept if key[0] == WAIT} == {ALL, DAY, DEKAD, MONTH}
    assert kept == rebuilt(engine, session)


def _open_tasks(session, case_id):
    return session.scalars(select(HumanTask).where(
        HumanTask.instance_id == case_id, HumanTask.state == "open", HumanTask.kind == "step",
    ).order_by(HumanTask.id)).all()


def _status(session, case_id):
    session.expire_all()
    return session.get(ProcessInstance, case_id).status


def _starter(session, case_id):
    return session.get(ProcessInstance, case_id).started_by.username


def test_a_case_counts_where_it_started_and_moves_when_it_ends(engine, session, people, deployed, clock):
    case = _start(engine, session, people, "SH001")
    session.commit()
    [started] = [k for k in cells(session) if k[0] == STARTED]
    assert started[2:] == (clock().astimezone(engine.zone).date(), "lanes_gateway", "", "EAST", "SH001", 0)
    engine.terminate(session, case.id, people["director"], "wrong store")
    session.commit()
    counts = {k[-1]: v[0] for k, v in cells(session).items() if k[0] == STARTED}
    assert counts == {2: 1}  # terminated (code 2), no longer open (0)
    with pytest.raises(Conflict):
        engine.terminate(session, case.id, people["director"], "again")
    session.rollback()
    assert cells(session) == rebuilt(engine, session)


def test_two_completions_at_once_both_count(engine, sessions, people, deployed, race):
    with sessions() as s:
        first, second = (_start(engine, s, people, "SH001").open_tasks[0].id for _ in range(2))
        s.commit()
    error = race(lambda s: engine.complete(s, first, people["manager_sh001"], {"summary": "one"}),
                 lambda s: engine.complete(s, second, people["deputy_sh001"], {"summary": "two"}))
    assert error is None
    with sessions() as s:
        work = [v[0] for k, v in cells(s).items() if k[0] == WORK and k[1] == MONTH]
        assert work == [2]
        assert cells(s) == rebuilt(engine, s)


def test_cells_are_written_as_the_transaction_commits_and_a_savepoint_drops_only_its_own(
        engine, session, people, deployed):
    kept = _start(engine, session, people, "SH001")
    assert session.scalars(select(RollupCell)).all() == []  # queued: their row locks come last
    savepoint = session.begin_nested()
    _start(engine, session, people, "SH002")
    savepoint.rollback()
    released = session.begin_nested()
    dropped_later = _start(engine, session, people, "SH002")
    released.commit()  # a released savepoint writes what it queued, inside the transaction
    session.commit()
    started = {(k[6], k[1]): v[0] for k, v in cells(session).items() if k[0] == STARTED}
    assert started[("SH001", DAY)] == 1 and started[("SH002", DAY)] == 1
    assert {kept.id, dropped_later.id} == set(session.scalars(select(ProcessInstance.id)))
    assert cells(session) == rebuilt(engine, session)
    session.commit()
    _start(engine, session, people, "SH001")
    session.rollback()
    assert cells(session) == rebuilt(engine, session)
    session.commit()
    _start(engine, session, people, "SH001")
    session.close()  # no commit: what it queued goes with it, not into the session's next transaction
    session.commit()
    assert cells(session) == rebuilt(engine, session)


def test_buckets_and_spans():
    assert bucket(0) == bucket(0.01) == 0
    assert bucket(1 / 60) == 1
    assert all(bucket(h * 1.1) == bucket(h) + 1 for h in (0.5, 2.0, 7.3, 300.0))
    spans = cover(date(2026, 8, 4), date(2026, 11, 3))
    assert spans[MONTH] == [date(2026, 9, 1), date(2026, 10, 1)]
    assert spans[DEKAD] == [date(2026, 8, 11), date(2026, 8, 21)]
    assert spans[DAY] == [date(2026, 8, d) for d in range(4, 11)] + [date(2026, 11, 1), date(2026, 11, 2)]
