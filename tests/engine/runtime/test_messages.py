"""A message catch event: delivered when the case waits for it, refused otherwise."""
import pytest
from sqlalchemy import select

from engine import Conflict, NotFound, queries
from engine.models import AuditEvent, ProcessInstance


def test_message_is_refused_until_the_case_waits_for_it_then_delivered(engine, session, people, deployed):
    m1 = people["manager_sh001"]
    case = engine.start(session, "delivery", m1, {"store_code": "SH001", "amount": 10})
    session.commit()
    with pytest.raises(Conflict, match="not waiting for message 'goods_arrived'"):
        engine.send_message(session, case.id, "goods_arrived", {"boxes": 3}, m1)
    session.rollback()

    case = engine.complete(session, case.open_tasks[0].id, m1, {"dock": "A2"})
    session.commit()
    assert case.open_tasks == []
    with pytest.raises(Conflict, match="goods_lost"):
        engine.send_message(session, case.id, "goods_lost", None, m1)
    session.rollback()

    case = engine.send_message(session, case.id, "goods_arrived", {"boxes": 3}, m1)
    session.commit()
    [receive] = case.open_tasks
    assert receive.element_id == "receive_goods"
    assert queries.task_detail(engine, session, m1, receive.id).case["arrival"] == {"boxes": 3}
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "message_received")).all()
    assert (event.actor_id, event.message, event.data) == (m1.id, "goods_arrived", {"payload": {"boxes": 3}})

    with pytest.raises(Conflict):  # delivered once; the case no longer waits
        engine.send_message(session, case.id, "goods_arrived", {"boxes": 1}, m1)
    session.rollback()
    case = engine.complete(session, receive.id, m1, {"accepted": True})
    session.commit()
    assert (case.status, case.outcome) == ("completed", "received")
    with pytest.raises(Conflict):
        engine.send_message(session, case.id, "goods_arrived", {"boxes": 1}, m1)
    session.rollback()
    data = queries.case_data(engine, session, session.get(ProcessInstance, case.id))
    assert data["arrival"] == {"boxes": 3} and data["accepted"] is True


def test_message_to_a_missing_case_is_not_found(engine, session, people, deployed):
    with pytest.raises(NotFound):
        engine.send_message(session, 999, "goods_arrived", None, people["manager_sh001"])
