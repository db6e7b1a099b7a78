"""Two sessions completing one task: the first commit wins, the second is told, nothing is lost."""
import threading

import pytest
from sqlalchemy import select, update

from engine import ConcurrentUpdate, Conflict, PermissionDenied, queries
from engine.models import AuditEvent, HumanTask, ProcessInstance, User


def test_second_of_two_concurrent_completions_fails_and_loses_nothing(engine, sessions, session, people,
                                                                      deployed):
    m1 = people["manager_sh001"]
    case = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 120})
    session.commit()
    task_id = case.open_tasks[0].id
    version_before = session.get(ProcessInstance, case.id).lock_version

    first, second = sessions(), sessions()
    try:
        for s in (first, second):  # both load everything a completion reads before either writes
            task = s.get(HumanTask, task_id)
            assert task.state == "open" and task.instance.state
        # flushed inside complete: the first now holds the row (PostgreSQL) or the write lock (SQLite)
        engine.complete(first, task_id, first.get(User, m1.id), {"summary": "first"})

        outcome: list[BaseException | None] = []

        def complete_second() -> None:
            try:
                engine.complete(second, task_id, second.get(User, m1.id), {"summary": "second"})
                second.commit()
                outcome.append(None)
            except BaseException as exc:  # the assertion is made by the main thread
                second.rollback()
                outcome.append(exc)

        # On PostgreSQL the second UPDATE waits for the first transaction's row lock and on SQLite
        # for its write lock, so the second runs in a thread while this one commits.
        thread = threading.Thread(target=complete_second)
        thread.start()
        first.commit()
        thread.join(timeout=30)
        assert not thread.is_alive()
        [error] = outcome
        assert isinstance(error, (ConcurrentUpdate, Conflict)), repr(error)
    finally:
        first.close()
        second.close()

    session.expire_all()
    task = session.get(HumanTask, task_id)
    instance = session.get(ProcessInstance, case.id)
    assert (task.state, task.completed_by_id) == ("completed", m1.id)
    assert instance.lock_version > version_before
    assert queries.case_data(engine, session, instance)["summary"] == "first"
    completed = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task_completed")).all()
    assert [e.data for e in completed] == [{"summary": "first"}]
    [approve] = session.scalars(select(HumanTask).where(HumanTask.state == "open")).all()
    assert approve.element_id == "approve"
    case = engine.complete(session, approve.id, people["director"], {"approved": True})
    session.commit()
    assert (case.status, case.outcome) == ("completed", "approved")


@pytest.mark.parametrize("command", ["claim", "complete"])
def test_a_stale_session_cannot_overwrite_a_newer_commit(engine, sessions, session, people, deployed,
                                                         command):
    """The stale session's own copies of the rows do not matter: the command reads the committed rows
    (the task is now someone else's) and refuses, and nothing the other session wrote is lost."""
    m1 = people["manager_sh001"]
    case = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 120})
    session.commit()
    task_id = case.open_tasks[0].id
    with sessions() as stale:
        task = stale.get(HumanTask, task_id)
        assert task.instance.state
        engine.claim(session, task_id, people["deputy_sh001"])
        session.commit()
        user = stale.get(User, m1.id)
        with pytest.raises((ConcurrentUpdate, Conflict, PermissionDenied)):
            if command == "claim":
                engine.claim(stale, task_id, user)
            else:
                engine.complete(stale, task_id, user, {"summary": "stale"})
        stale.rollback()
    session.expire_all()
    task = session.get(HumanTask, task_id)
    assert (task.state, task.assignee.username) == ("open", "deputy_sh001")


def test_a_case_locked_by_another_transaction_is_a_concurrent_update(engine, sessions, session, people,
                                                                    deployed, db_url):
    """SQLite's "database is locked" and PostgreSQL's lock timeout both mean: someone else is at it."""
    m1 = people["manager_sh001"]
    case = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 120})
    session.commit()
    with sessions() as other:
        other.execute(update(ProcessInstance).where(ProcessInstance.id == case.id).values(title="held"))
        sqlite = db_url.startswith("sqlite")
        wait = "PRAGMA busy_timeout = 50" if sqlite else "SET LOCAL lock_timeout = '50ms'"
        session.connection().exec_driver_sql(wait)
        with pytest.raises(ConcurrentUpdate):
            engine.claim(session, case.open_tasks[0].id, m1)
        session.rollback()
        other.rollback()
    assert session.get(HumanTask, case.open_tasks[0].id).assignee_id is None


@pytest.mark.parametrize("second", ["complete", "claim"])
def test_a_command_overtaken_between_its_read_and_its_write_is_refused(engine, sessions, session, people,
                                                                      deployed, monkeypatch, second):
    """Both commands have read the case before either writes; the one that commits first wins and
    the other fails on the case's version, whatever it was about to change."""
    m1, deputy = people["manager_sh001"], people["deputy_sh001"]
    case = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 120})
    session.commit()
    task_id = case.open_tasks[0].id
    load = type(engine).load
    overtaken = []

    def load_then_be_overtaken(self, s, instance):
        loaded = load(self, s, instance)
        if not overtaken:
            overtaken.append(True)
            with sessions() as other:
                if second == "complete":
                    engine.complete(other, task_id, other.get(User, m1.id), {"summary": "first"})
                else:
                    engine.claim(other, task_id, other.get(User, deputy.id))
                other.commit()
        return loaded

    monkeypatch.setattr(type(engine), "load", load_then_be_overtaken)
    with pytest.raises(ConcurrentUpdate):
        engine.complete(session, task_id, m1, {"summary": "overtaken"})
    session.rollback()
    monkeypatch.undo()

    task = session.get(HumanTask, task_id)
    events = session.scalars(select(AuditEvent.data).where(AuditEvent.event_type == "task_completed")).all()
    if second == "complete":
        assert (task.state, events) == ("completed", [{"summary": "first"}])
    else:
        assert (task.state, task.assignee_id, events) == ("open", deputy.id, [])
