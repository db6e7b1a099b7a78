"""离职交接: an administrator moves every task a leaving person holds to a colleague in one audited
action, deactivating them; nobody else may, and a refusal changes nothing."""
import pytest
from sqlalchemy import select

from engine import ConcurrentUpdate, InvalidData, PermissionDenied, queries, runtime
from engine.models import AuditEvent, HumanTask, Notification, User


@pytest.fixture
def held(engine, session, people, deployed):
    """Two SH002 reports (manager_sh002 is the one manager there: hers) and an SH001 one she does not hold."""
    ids = []
    for store in ("SH002", "SH002", "SH001"):
        case = engine.start(session, "lanes_gateway", people["manager_sh001"],
                            {"store_code": store, "amount": 1})
        ids.append(case.open_tasks[0].id)
    session.commit()
    return ids


def test_every_task_moves_to_the_colleague_and_the_person_is_deactivated(engine, session, people, root, held):
    m2 = people["manager_sh002"]
    result = runtime.hand_over(engine, session, root, m2.id, "manager_sh001", " leaves the company ")
    session.commit()
    assert result.to_dict() == {"username": "manager_sh002", "to": "manager_sh001", "task_ids": held[:2],
                                "moved": 2, "cases": 2, "deactivated": True}
    session.expire_all()
    assert not session.get(User, m2.id).active
    assert [session.get(HumanTask, i).assignee_id for i in held[:2]] == [people["manager_sh001"].id] * 2
    assert session.get(HumanTask, held[2]).assignee_id is None
    moved = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task_transferred")
                            .order_by(AuditEvent.id)).all()
    assert [(e.task_id, e.actor_id, e.message, e.data) for e in moved] == [
        (i, root.id, "leaves the company", {"from": "manager_sh002", "to": "manager_sh001", "handover": True})
        for i in held[:2]]
    trail = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "tasks_handed_over")).one()
    assert (trail.message, trail.data["to"], trail.data["tasks"]) == (
        "manager_sh002", "manager_sh001", held[:2])
    told = session.scalars(select(Notification.task_id).where(
        Notification.recipient_id == people["manager_sh001"].id, Notification.kind == "transferred")).all()
    assert sorted(told) == held[:2]
    mine = queries.list_tasks(session, people["manager_sh001"], queries.TaskFilter(scope="mine"),
                              engine.clock())
    assert {t.id for t in mine.items} == set(held[:2])


def test_without_deactivating_and_with_nothing_held(engine, session, people, root, held):
    result = runtime.hand_over(engine, session, root, people["cs_li"].id, "director", "moves team",
                               deactivate=False)
    session.commit()
    assert (result.task_ids, result.deactivated) == ((), False)
    assert session.get(User, people["cs_li"].id).active


def test_who_may_not_and_what_is_refused(engine, session, people, root, held, dump):
    before = dump(session)
    m2 = people["manager_sh002"]
    for name in ("manager_sh001", "supervisor_east", "director"):
        with pytest.raises(PermissionDenied):
            runtime.hand_over(engine, session, people[name], m2.id, "manager_sh001", "why")
        session.rollback()
    for to, reason, field in (("nobody", "why", "to"), ("manager_sh002", "why", "to"),
                              ("manager_sh001", "  ", "reason")):
        with pytest.raises(InvalidData) as refused:
            runtime.hand_over(engine, session, root, m2.id, to, reason)
        assert field in refused.value.fields
        session.rollback()
    with pytest.raises(InvalidData) as refused:  # an administrator does not deactivate themselves
        runtime.hand_over(engine, session, root, root.id, "manager_sh001", "why")
    session.rollback()
    assert dump(session) == before


def test_a_handover_racing_a_completion_fails_whole(engine, session, people, root, held, race):
    m2_id = people["manager_sh002"].id
    root_id = root.id
    raised = race(lambda s: engine.complete(s, held[0], s.get(User, m2_id), {"summary": "last one"}),
                  lambda s: runtime.hand_over(engine, s, s.get(User, root_id), m2_id, "manager_sh001",
                                              "leaves"),
                  wait_on="case_row")
    assert isinstance(raised, ConcurrentUpdate)
    session.expire_all()
    assert session.get(User, m2_id).active
    assert session.get(HumanTask, held[1]).assignee_id == m2_id
