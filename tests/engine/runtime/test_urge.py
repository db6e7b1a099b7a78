"""催办: the starter or a supervisor urges a waiting step; the holders (or the pool) are told; once
an hour per person and step."""

import pytest
from sqlalchemy import select

from engine import ConcurrentUpdate, Conflict, InvalidData, NotFound, PermissionDenied, queries
from engine.errors import TooSoon
from engine.models import AuditEvent, HumanTask, User
from engine.runtime import urge


def _start(engine, session, people):
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 120})
    session.commit()
    return case


def _urges(session):
    return [(e.actor.username, e.message, e.data) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.event_type == "task_urged").order_by(AuditEvent.id))]


def test_the_starter_urges_a_pool_step_and_everyone_who_may_take_it_is_told(engine, session, people, deployed,
                                                                            clock):
    case = _start(engine, session, people)
    case = engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "s"})
    session.commit()
    approve = case.open_tasks[0].id
    assert urge(engine, session, approve, people["manager_sh001"], " please ") == ["director"]
    session.commit()
    assert _urges(session) == [("manager_sh001", "please", {"to": ["director"]})]
    with pytest.raises(TooSoon) as refused:
        urge(engine, session, approve, people["manager_sh001"], "again")
    assert refused.value.retry_after == 3600 and "60 minutes" in refused.value.message
    clock.advance(minutes=59)
    with pytest.raises(TooSoon) as refused:
        urge(engine, session, approve, people["manager_sh001"], "again")
    assert refused.value.retry_after == 60
    # someone else may urge the same step meanwhile; the starter again after the hour
    urge(engine, session, approve, people["supervisor_east"], "")
    clock.advance(minutes=1)
    urge(engine, session, approve, people["manager_sh001"], "still waiting")
    session.commit()
    assert [u[0] for u in _urges(session)] == ["manager_sh001", "supervisor_east", "manager_sh001"]
    assert queries.urge_counts(session, [approve, None, 999]) == {approve: 3}


def test_a_held_step_tells_its_holder(engine, session, people, deployed):
    case = _start(engine, session, people)
    task = case.open_tasks[0].id
    engine.claim(session, task, people["deputy_sh001"])
    session.commit()
    assert urge(engine, session, task, people["supervisor_east"], "") == ["deputy_sh001"]
    session.commit()
    # a pool step of a store tells that store's managers only
    other = _start(engine, session, people)
    assert urge(engine, session, other.open_tasks[0].id, people["supervisor_east"], "") == [
        "deputy_sh001", "manager_sh001"]


def test_who_may_not_urge(engine, session, people, deployed):
    case = _start(engine, session, people)
    task = case.open_tasks[0].id
    for outsider in ("deputy_sh001", "supervisor_north", "cs_li", "manager_sh002"):
        with pytest.raises(PermissionDenied):
            urge(engine, session, task, people[outsider], "")
    with pytest.raises(InvalidData):
        urge(engine, session, task, people["manager_sh001"], "x" * 2001)
    with pytest.raises(NotFound):
        urge(engine, session, 99999, people["manager_sh001"], "")
    engine.complete(session, task, people["manager_sh001"], {"summary": "s"})
    session.commit()
    with pytest.raises(Conflict):  # no longer waiting
        urge(engine, session, task, people["manager_sh001"], "")
    assert _urges(session) == []


def test_an_urge_racing_a_completion(engine, session, people, deployed, race):
    """The urge read the step before the completion committed: it fails rather than write over it."""
    case = _start(engine, session, people)
    task_id, m1, sup = case.open_tasks[0].id, people["manager_sh001"], people["supervisor_east"]
    error = race(lambda s: engine.complete(s, task_id, s.get(User, m1.id), {"summary": "first"}),
                 lambda s: urge(engine, s, task_id, s.get(User, sup.id), "hurry"),
                 wait_on="open_task")
    assert isinstance(error, (ConcurrentUpdate, Conflict)), repr(error)
    session.expire_all()
    assert session.get(HumanTask, task_id).state == "completed"
    assert _urges(session) == []
