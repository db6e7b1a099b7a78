"""A refused command changes nothing: not a byte in any table, even before the caller rolls back."""
import pytest

from engine import Conflict, InvalidData, PermissionDenied


@pytest.fixture
def case(engine, session, people, deployed):
    """A delivery case at its first step, claimed by the manager of SH001."""
    m1 = people["manager_sh001"]
    case = engine.start(session, "delivery", m1, {"store_code": "SH001", "amount": 10})
    engine.claim(session, case.open_tasks[0].id, m1)
    session.commit()
    return case


REFUSALS = {
    "complete with bad data": (InvalidData, lambda e, s, p, c: e.complete(
        s, c.open_tasks[0].id, p["manager_sh001"], {"dock": 12})),
    "complete by someone else": (PermissionDenied, lambda e, s, p, c: e.complete(
        s, c.open_tasks[0].id, p["deputy_sh001"], {"dock": "A"})),
    "claim by the wrong user": (PermissionDenied, lambda e, s, p, c: e.claim(
        s, c.open_tasks[0].id, p["manager_sh002"])),
    "start for an unknown store": (InvalidData, lambda e, s, p, c: e.start(
        s, "delivery", p["manager_sh001"], {"store_code": "XX999", "amount": 10})),
    "message not waited for": (Conflict, lambda e, s, p, c: e.send_message(
        s, c.id, "goods_arrived", {"boxes": 1}, p["manager_sh001"])),
    "unknown message": (Conflict, lambda e, s, p, c: e.send_message(
        s, c.id, "goods_lost", None, p["manager_sh001"])),
    "terminate without a reason": (InvalidData, lambda e, s, p, c: e.terminate(
        s, c.id, p["director"], "  ")),
}


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_a_refused_command_leaves_every_table_unchanged(engine, session, people, case, dump, refusal):
    error, command = REFUSALS[refusal]
    before = dump(session)
    with pytest.raises(error):
        command(engine, session, people, case)
    assert dump(session) == before  # nothing was even flushed
    session.rollback()
    assert dump(session) == before

