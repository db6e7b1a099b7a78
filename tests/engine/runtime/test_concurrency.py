"""Two sessions completing one task: the first commit wins, the second is told, nothing is lost."""
import pytest
from sqlalchemy import select, update

from engine import ConcurrentUpdate, Conflict, PermissionDenied, queries
from engine.models import AuditEvent, HumanTask, ProcessInstance, User


def test_second_of_two_concurrent_completions_fails_and_loses_nothing(engine, session, people, deployed,
                                                                      race):
    m1 = people["manager_sh001"]
    case = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 120})
    session.commit()
    task_id = case.open_tasks[0].id
    version_before = session.get(ProcessInstance, case.id).lock_version

    def load_all(s):  # everything a completion reads, in both sessions before either writes
        task = s.get(HumanTask, task_id)
        assert task.state == "open" and task.instance.state

    error = race(lambda s: engine.complete(s, task_id, s.get(User, m1.id), {"summary": "first"}),
                 lambda s: engine.complete(s, task_id, s.get(User, m1.id), {"summary": "second"}),
                 both=load_all)
    assert isinstance(error, (ConcurrentUpdate, Conflict)), repr(error)

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
def test_a_command_overtaken_between_its_read_and_its_write_is_refused(engine, session, people, deployed,
                                                                      overtake, second):
    """Both commands have read the case before either writes; the one that commits first wins and
    the other fails on the case's version, whatever it was about to change."""
    m1, deputy = people["manager_sh001"], people["deputy_sh001"]
    case = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 120})
    session.commit()
    task_id = case.open_tasks[0].id
    if second == "complete":
        overtake("load", lambda s: engine.complete(s, task_id, s.get(User, m1.id), {"summary": "first"}))
    else:
        overtake("load", lambda s: engine.claim(s, task_id, s.get(User, deputy.id)))
    with pytest.raises(ConcurrentUpdate):
        engine.complete(session, task_id, m1, {"summary": "overtaken"})
    session.rollback()

    task = session.get(HumanTask, task_id)
    events = session.scalars(select(AuditEvent.data).where(AuditEvent.event_type == "task_completed")).all()
    if second == "complete":
        assert (task.state, events) == ("completed", [{"summary": "first"}])
    else:
        assert (task.state, task.assignee_id, events) == ("open", deputy.id, [])
