"""The basic life of a case: start, claim, complete through lanes and an exclusive gateway."""
from engine import Conflict, InvalidData, PermissionDenied, queries


def test_lanes_and_gateway_walk(engine, session, people, deployed, clock):
    m1, m2, director = people["manager_sh001"], people["manager_sh002"], people["director"]
    case = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 120})
    session.commit()
    [report] = case.open_tasks
    assert (report.element_id, report.role, report.store_code) == ("report", "store_manager", "SH001")
    assert report.due_at == clock() .__class__.fromisoformat(report.due_at.isoformat())
    mine = queries.list_tasks(session, m1, queries.TaskFilter(scope="claimable"), clock())
    assert [t.id for t in mine.items] == [report.id]
    assert queries.list_tasks(session, m2, queries.TaskFilter(scope="all"), clock()).total == 0
    try:
        engine.complete(session, report.id, m2, {"summary": "x"})
        raise AssertionError("manager of another store completed the task")
    except PermissionDenied:
        session.rollback()
    try:
        engine.complete(session, report.id, m1, {"summary": 5})
        raise AssertionError("bad data accepted")
    except InvalidData as exc:
        session.rollback()
        assert "summary" in exc.fields
    engine.claim(session, report.id, m1)
    case = engine.complete(session, report.id, m1, {"summary": "all good", "amount": 999999})
    session.commit()
    [approve] = case.open_tasks
    assert approve.role == "ops_director"
    detail = queries.task_detail(engine, session, director, approve.id)
    assert detail.case["amount"] == 120 and detail.case["summary"] == "all good"
    case = engine.complete(session, approve.id, director, {"approved": False})
    session.commit()
    assert (case.status, case.outcome, case.open_tasks) == ("completed", "rejected", [])
    try:
        engine.complete(session, approve.id, director, {"approved": True})
        raise AssertionError("completed twice")
    except Conflict:
        session.rollback()
