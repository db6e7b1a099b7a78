"""The audit events of a command carry the id of the request that caused it when the caller names one
(`tag_request`), both those written in the command's batch and those added one by one; a session
nobody tagged (the background runner's) writes none. The web layer's part is in
tests/webapp/test_request_log.py."""
from sqlalchemy import select

from engine.models import AuditEvent
from engine.runtime import add_comment, tag_request


def test_events_of_a_tagged_session_carry_the_request_id(engine, session, people, deployed):
    m1 = people["manager_sh001"]
    tag_request(session, "req-4f2a")
    case = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 120})
    add_comment(session, m1, case.id, "看一下", now=engine.clock(), rules=engine.supervision)
    session.commit()
    events = session.execute(select(AuditEvent.event_type, AuditEvent.request_id)
                             .where(AuditEvent.instance_id == case.id)).all()
    assert {"started", "comment"} <= {kind for kind, _ in events}
    assert {rid for _, rid in events} == {"req-4f2a"}


def test_an_untagged_session_writes_no_request_id(engine, session, people, deployed):
    m1 = people["manager_sh001"]
    tag_request(session, "req-1")
    tag_request(session, None)
    case = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 120})
    session.commit()
    stored = session.scalars(select(AuditEvent.request_id).where(AuditEvent.instance_id == case.id))
    assert set(stored) == {None}
