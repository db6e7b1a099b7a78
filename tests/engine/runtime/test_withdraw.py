"""撤回: the starter withdraws a running or suspended case with a reason, until a point of no return."""

import pytest
from sqlalchemy import select

from engine import ConcurrentUpdate, Conflict, InvalidData, PermissionDenied, queries
from engine.bpmn.deploy import deploy_directory
from engine.models import AuditEvent, HumanTask, ProcessInstance, User
from engine.runtime import withdraw


def _start(engine, session, people, key="lanes_gateway"):
    case = engine.start(session, key, people["manager_sh001"], {"store_code": "SH001", "amount": 120})
    session.commit()
    return case


def test_the_starter_withdraws_and_the_holders_are_named(engine, session, people, deployed):
    case = _start(engine, session, people)
    engine.claim(session, case.open_tasks[0].id, people["deputy_sh001"])
    session.commit()
    view = withdraw(engine, session, case.id, people["manager_sh001"], "  wrong store  ")
    session.commit()
    assert (view.status, view.outcome, view.open_tasks) == ("withdrawn", "withdrawn", [])
    instance = session.get(ProcessInstance, case.id)
    assert instance.ended_at is not None and instance.next_timer_at is None
    assert [t.state for t in session.scalars(select(HumanTask).where(HumanTask.instance_id == case.id))] == [
        "cancelled"]
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "withdrawn")).all()
    assert (event.actor.username, event.message) == ("manager_sh001", "wrong store")
    assert event.data == {"holders": ["deputy_sh001"], "steps": ["门店填报"]}
    cancelled = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task_cancelled")).all()
    assert len(cancelled) == 1
    # a withdrawn case is listed and filtered as such, and counts as ended in my cases
    f = queries.CaseFilter(status="withdrawn")
    page = queries.list_cases(session, people["manager_sh001"], f, engine.clock(), rules=engine.supervision)
    assert [r.id for r in page.items] == [case.id]
    assert [c.id for c in queries.my_cases(session, people["manager_sh001"], running=False)] == [case.id]


def test_who_may_not_withdraw_and_when_not(engine, session, people, deployed):
    case = _start(engine, session, people)
    for other in ("deputy_sh001", "supervisor_east", "director"):
        with pytest.raises(PermissionDenied):
            withdraw(engine, session, case.id, people[other], "not mine")
    for blank in (None, "", "  "):
        with pytest.raises(InvalidData) as refused:
            withdraw(engine, session, case.id, people["manager_sh001"], blank)
        assert set(refused.value.fields) == {"reason"}
    engine.suspend(session, case.id, people["supervisor_east"], "on hold")
    session.commit()
    view = withdraw(engine, session, case.id, people["manager_sh001"], "no longer needed")
    assert view.status == "withdrawn"
    session.commit()
    with pytest.raises(Conflict):
        withdraw(engine, session, case.id, people["manager_sh001"], "again")
    with pytest.raises(Conflict):
        engine.terminate(session, case.id, people["supervisor_east"], "too late")


def test_a_finished_case_cannot_be_withdrawn(engine, session, people, deployed):
    case = _start(engine, session, people)
    case = engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "s"})
    engine.complete(session, case.open_tasks[0].id, people["director"], {"approved": True})
    session.commit()
    with pytest.raises(Conflict):
        withdraw(engine, session, case.id, people["manager_sh001"], "late")
    terminated = _start(engine, session, people)
    engine.terminate(session, terminated.id, people["supervisor_east"], "closed")
    session.commit()
    with pytest.raises(Conflict):
        withdraw(engine, session, terminated.id, people["manager_sh001"], "late")


def test_no_withdrawal_past_a_point_of_no_return(engine, session, people, deployed, model_dir, clock):
    folder = model_dir("lanes_gateway")
    path = folder / "lanes_gateway.bpmn"
    path.write_text(path.read_text("utf-8").replace(
        '<spiffworkflow:property name="dueInHours" value="24" />',
        '<spiffworkflow:property name="dueInHours" value="24" />'
        '<spiffworkflow:property name="pointOfNoReturn" value="true" />'), "utf-8")
    deploy_directory(session, folder, now=clock())
    session.commit()
    case = _start(engine, session, people)
    instance = session.get(ProcessInstance, case.id)
    assert queries.case_moves(engine, session, people["manager_sh001"], instance).withdraw
    case = engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "paid"})
    session.commit()
    with pytest.raises(Conflict) as refused:
        withdraw(engine, session, case.id, people["manager_sh001"], "changed my mind")
    assert "门店填报" in refused.value.message
    instance = session.get(ProcessInstance, case.id)
    moves = queries.case_moves(engine, session, people["manager_sh001"], instance)
    assert (moves.withdraw, moves.no_return_step) == (False, "门店填报")


def test_withdraw_racing_a_completion_one_wins(engine, session, people, deployed, race):
    """The withdrawal has read the case before the completion commits: it must not overwrite it."""
    case = _start(engine, session, people)
    task_id, m1 = case.open_tasks[0].id, people["manager_sh001"]
    error = race(lambda s: engine.complete(s, task_id, s.get(User, m1.id), {"summary": "first"}),
                 lambda s: withdraw(engine, s, case.id, s.get(User, m1.id), "too slow"),
                 both=lambda s: s.get(HumanTask, task_id).instance.state, wait_on="load")
    assert isinstance(error, (ConcurrentUpdate, Conflict)), repr(error)
    session.expire_all()
    assert session.get(ProcessInstance, case.id).status == "running"
    assert not session.scalars(select(AuditEvent).where(AuditEvent.event_type == "withdrawn")).all()
    # and the other way round: once withdrawn, a completion is refused
    withdraw(engine, session, case.id, m1, "now")
    session.commit()
    [approve] = session.scalars(select(HumanTask).where(HumanTask.instance_id == case.id,
                                                        HumanTask.element_id == "approve")).all()
    with pytest.raises(Conflict):
        engine.complete(session, approve.id, people["director"], {"approved": True})
