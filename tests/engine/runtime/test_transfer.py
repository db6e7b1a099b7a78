"""转交: the holder hands a task to a colleague with the step's role in the case's scope, saying why;
supervisors may hand on any open task; nobody else may."""
import pytest
from sqlalchemy import select

from engine import ConcurrentUpdate, Conflict, InvalidData, PermissionDenied, queries, runtime
from engine.models import AuditEvent, HumanTask, User


@pytest.fixture
def held(engine, session, people, deployed):
    """SH001's report, claimed by manager_sh001 (SH001 has two managers: it started in the pool)."""
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
            {"store_code": "SH001", "amount": 1})
    task_id = case.open_tasks[0].id
    engine.claim(session, task_id, people["manager_sh001"])
    session.commit()
    return task_id


def test_the_holder_hands_the_task_to_a_colleague_who_finds_it_in_todo(engine, session, people, held):
    m1, deputy = people["manager_sh001"], people["deputy_sh001"]
    assert "transfer" in queries.task_detail(engine, session, m1, held).actions
    view = runtime.transfer(engine, session, held, m1, "deputy_sh001", "  I am off tomorrow  ")
    session.commit()
    assert (view.assignee, view.claimable) == ("deputy_sh001", False)
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task_transferred")).all()
    assert (event.actor_id, event.task_id, event.message, event.data) == (
        m1.id, held, "I am off tomorrow", {"from": "manager_sh001", "to": "deputy_sh001"})
    todo = queries.list_tasks(session, deputy, queries.TaskFilter(), engine.clock())
    assert [(t.id, t.claimable) for t in todo.items] == [(held, False)]
    assert queries.list_tasks(session, m1, queries.TaskFilter(), engine.clock()).items == []
    assert "transfer" not in queries.task_detail(engine, session, m1, held).actions
    with pytest.raises(PermissionDenied):  # no longer the holder
        engine.complete(session, held, m1, {"summary": "too late"})
    session.rollback()
    case = engine.complete(session, held, deputy, {"summary": "done by the deputy"})
    session.commit()
    assert case.open_tasks[0].element_id == "approve"


def test_who_may_not_transfer(engine, session, people, held):
    for name in ("deputy_sh001",  # holds the role, but not the task
                 "manager_sh002", "cs_li",  # neither
                 "supervisor_north"):  # another region's supervisor
        with pytest.raises(PermissionDenied):
            runtime.transfer(engine, session, held, people[name], "deputy_sh001", "why not")
        session.rollback()
    assert "transfer" not in queries.task_detail(engine, session, people["deputy_sh001"], held).actions
    assert session.get(HumanTask, held).assignee_id == people["manager_sh001"].id


@pytest.mark.parametrize(("to", "reason", "field"), [
    ("deputy_sh001", "", "reason"),
    ("deputy_sh001", "   ", "reason"),
    ("deputy_sh001", "x" * 2001, "reason"),
    ("nobody", "why", "to"),
    ("", "why", "to"),
    ("manager_sh001", "why", "to"),  # already holds it
    ("manager_sh002", "why", "to"),  # the role, but for another store
    ("cs_li", "why", "to"),  # not the role
    ("supervisor_east", "why", "to"),  # supervises the case, but does not do the step
])
def test_the_colleague_must_hold_the_role_in_scope_and_a_reason_is_required(engine, session, people, held, to,
                                                                            reason, field):
    with pytest.raises(InvalidData) as refused:
        runtime.transfer(engine, session, held, people["manager_sh001"], to, reason)
    assert set(refused.value.fields) == {field}


def test_an_inactive_colleague_cannot_receive_it(engine, session, people, held):
    people["deputy_sh001"].active = False
    session.commit()
    with pytest.raises(InvalidData):
        runtime.transfer(engine, session, held, people["manager_sh001"], "deputy_sh001", "why")


def test_a_supervisor_transfers_a_pool_task_or_anyone_s(engine, session, people, deployed):
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
            {"store_code": "SH001", "amount": 1})
    session.commit()
    task_id = case.open_tasks[0].id
    sup = people["supervisor_east"]
    assert "transfer" in queries.task_detail(engine, session, sup, task_id).actions
    assert "transfer" not in queries.task_detail(engine, session, people["deputy_sh001"], task_id).actions
    view = runtime.transfer(engine, session, task_id, sup, "deputy_sh001", "she knows the store")
    session.commit()
    assert view.assignee == "deputy_sh001"
    view = runtime.transfer(engine, session, task_id, sup, "manager_sh001", "back again")
    session.commit()
    events = session.scalars(select(AuditEvent.data).where(AuditEvent.event_type == "task_transferred")
                             .order_by(AuditEvent.id)).all()
    assert events == [{"from": None, "to": "deputy_sh001"}, {"from": "deputy_sh001", "to": "manager_sh001"}]


def test_an_assignee_before_claiming_may_transfer(engine, session, people, deployed, clock):
    """A task that went to its one holder was never claimed by hand: she may still hand it on."""
    from engine.directory.accounts import RoleSpec, insert_user_unchecked

    case = engine.start(session, "lanes_gateway", people["manager_sh002"],
            {"store_code": "SH002", "amount": 1})
    session.commit()
    task_id = case.open_tasks[0].id
    insert_user_unchecked(session, "deputy_sh002", None, password_hash="!", now=clock(),
                          roles=[RoleSpec("store_manager", "SH002")])
    session.commit()
    view = runtime.transfer(engine, session, task_id, people["manager_sh002"], "deputy_sh002", "holiday")
    session.commit()
    assert view.assignee == "deputy_sh002"


def test_a_finished_task_cannot_be_transferred(engine, session, people, held):
    engine.complete(session, held, people["manager_sh001"], {"summary": "done"})
    session.commit()
    with pytest.raises(Conflict):
        runtime.transfer(engine, session, held, people["manager_sh001"], "deputy_sh001", "why")


@pytest.mark.parametrize("first", ["complete", "transfer"])
def test_a_transfer_racing_a_completion(engine, session, people, held, overtake, first):
    """Both have read the task before either writes: whichever commits first wins, the other fails on
    the case's version and changes nothing."""
    m1 = people["manager_sh001"]
    if first == "complete":
        overtake("open_task", lambda s: engine.complete(s, held, s.get(User, m1.id), {"summary": "first"}))
    else:
        overtake("open_task", lambda s: runtime.transfer(engine, s, held, s.get(User, m1.id), "deputy_sh001",
                                                         "first"))
    with pytest.raises(ConcurrentUpdate):
        if first == "complete":
            runtime.transfer(engine, session, held, m1, "deputy_sh001", "overtaken")
        else:
            engine.complete(session, held, m1, {"summary": "overtaken"})
    session.rollback()
    session.expire_all()
    task = session.get(HumanTask, held)
    kinds = session.scalars(select(AuditEvent.event_type).where(AuditEvent.task_id == held)).all()
    if first == "complete":
        assert (task.state, task.assignee_id) == ("completed", m1.id)
        assert "task_transferred" not in kinds
    else:
        assert (task.state, task.assignee_id) == ("open", people["deputy_sh001"].id)
        assert "task_completed" not in kinds


def test_an_approval_and_a_step_waiting_on_its_approvers_stay_where_they_are(engine, session, people, held):
    """加签: the approvers decide their own approvals; the holder waiting on them keeps the step."""
    m1, sup = people["manager_sh001"], people["supervisor_east"]
    runtime.add_approvers(engine, session, held, m1, ["supervisor_east"], "before", "check it")
    session.commit()
    [approval] = session.scalars(select(HumanTask).where(HumanTask.parent_id == held)).all()
    with pytest.raises(Conflict):
        runtime.transfer(engine, session, held, m1, "deputy_sh001", "why")
    session.rollback()
    with pytest.raises(Conflict):
        runtime.transfer(engine, session, approval.id, sup, "director", "why")
    session.rollback()
    assert "transfer" not in queries.task_detail(engine, session, m1, held).actions
    assert "transfer" not in queries.task_detail(engine, session, sup, approval.id).actions
