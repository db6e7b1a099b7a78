"""Terminate, suspend and resume: supervisors only, with a reason, audited with the actor."""
import pytest
from sqlalchemy import select

from engine import Conflict, InvalidData, PermissionDenied
from engine.models import AuditEvent, HumanTask, ProcessInstance
from engine.runtime.timers import fire_due_timers


def _events(session, case_id, *types):
    rows = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case_id,
                                                    AuditEvent.event_type.in_(types)).order_by(AuditEvent.id))
    return [(e.event_type, e.actor.username if e.actor else None, e.message) for e in rows]


@pytest.mark.parametrize("action", ["terminate", "suspend", "resume"])
def test_a_reason_and_a_supervisor_are_required(engine, session, people, deployed, action):
    case = engine.start(session, "escalation", people["manager_sh001"], {"store_code": "SH001", "amount": 1})
    session.commit()
    command = getattr(engine, action)
    for blank in ("", "   "):
        with pytest.raises(InvalidData) as refused:
            command(session, case.id, people["supervisor_east"], blank)
        assert set(refused.value.fields) == {"reason"}
    for outsider in ("manager_sh001", "supervisor_north", "cs_li"):
        with pytest.raises(PermissionDenied):
            command(session, case.id, people[outsider], "because")


def test_suspended_case_refuses_work_and_timers_until_resumed(engine, sessions, session, people, deployed,
                                                            clock, tasks_of):
    m1, sup = people["manager_sh001"], people["supervisor_east"]
    case = engine.start(session, "escalation", m1, {"store_code": "SH001", "amount": 1})
    session.commit()
    fix = case.open_tasks[0].id
    assert engine.suspend(session, case.id, sup, "store closed for renovation").status == "suspended"
    session.commit()
    with pytest.raises(Conflict):
        engine.suspend(session, case.id, sup, "again")
    with pytest.raises(Conflict):
        engine.claim(session, fix, m1)
    with pytest.raises(Conflict):
        engine.complete(session, fix, m1, {"fix_note": "done"})
    session.rollback()
    assert fire_due_timers(engine, sessions, clock.advance(hours=30)) == 0  # a suspended case's timers wait

    case = engine.resume(session, case.id, people["director"], "renovation finished")
    session.commit()
    assert case.status == "running"
    assert set(tasks_of(session, case.id)) == {"fix_issue", "nudge"}  # the overdue reminder fired on resume
    with pytest.raises(Conflict):
        engine.resume(session, case.id, sup, "again")
    case = engine.complete(session, fix, m1, {"fix_note": "done"})
    session.commit()
    assert {t.element_id for t in case.open_tasks} == {"nudge", "confirm_fix"}
    assert _events(session, case.id, "suspended", "resumed") == [
        ("suspended", "supervisor_east", "store closed for renovation"),
        ("resumed", "director", "renovation finished")]


def test_terminate_cancels_open_tasks_and_a_finished_case_cannot_be_terminated(engine, session, people,
                                                                             deployed):
    m1, sup, director = people["manager_sh001"], people["supervisor_east"], people["director"]
    case = engine.start(session, "escalation", m1, {"store_code": "SH001", "amount": 1})
    session.commit()
    engine.suspend(session, case.id, sup, "on hold")
    view = engine.terminate(session, case.id, sup, "store closed for good")
    session.commit()
    assert (view.status, view.outcome, view.open_tasks) == ("terminated", "terminated", [])
    instance = session.get(ProcessInstance, case.id)
    assert instance.next_timer_at is None and instance.ended_at is not None
    assert [t.state for t in session.scalars(select(HumanTask).where(HumanTask.instance_id == case.id))] == [
        "cancelled"]
    with pytest.raises(Conflict):
        engine.terminate(session, case.id, director, "again")
    with pytest.raises(Conflict):
        engine.resume(session, case.id, director, "undo")
    assert _events(session, case.id, "suspended", "terminated") == [
        ("suspended", "supervisor_east", "on hold"),
        ("terminated", "supervisor_east", "store closed for good")]

    done = engine.start(session, "discount", m1, {"store_code": "SH001", "amount": 5})
    session.commit()
    assert done.status == "completed"
    with pytest.raises(Conflict):
        engine.terminate(session, done.id, director, "too late")
    with pytest.raises(Conflict):
        engine.suspend(session, done.id, director, "too late")
