"""A parallel multi-instance user task over store codes: one task per store, for that store only."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import InvalidData, PermissionDenied, queries
from engine.models import HumanTask, ProcessInstance


def test_each_instance_goes_to_its_own_stores_manager(engine, session, people, deployed, clock):
    m1, m2, director = people["manager_sh001"], people["manager_sh002"], people["director"]
    case = engine.start(session, "store_survey", director,
                        {"topic": "冬装陈列", "store_codes": ["SH001", "SH002"]})
    session.commit()
    rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == case.id)
                           .order_by(HumanTask.id)).all()
    assert [(r.element_id, r.lane_role, r.store_code, r.region, r.form_file) for r in rows] == [
        ("survey", "store_manager", "SH001", "EAST", "survey.json"),
        ("survey", "store_manager", "SH002", "EAST", "survey.json")]
    first, second = rows
    assert first.due_at == clock() + timedelta(hours=72)

    def visible(user):
        return [t.id for t in queries.list_tasks(session, user, queries.TaskFilter(), clock()).items]

    assert visible(m1) == [first.id] and visible(m2) == [second.id] and visible(director) == []
    with pytest.raises(PermissionDenied):
        engine.claim(session, second.id, m1)
    with pytest.raises(PermissionDenied):
        engine.complete(session, second.id, m1, {"answer": "not mine"})
    session.rollback()

    detail = queries.task_detail(engine, session, m1, first.id)
    assert detail.form["title"] == "门店调研" and detail.case["store_code"] == "SH001"
    with pytest.raises(InvalidData) as bad:  # the child is validated against the task's form
        engine.complete(session, first.id, m1, {"answer": 5})
    assert set(bad.value.fields) == {"answer"}
    session.rollback()

    engine.claim(session, first.id, m1)
    case = engine.complete(session, first.id, m1, {"answer": "ok", "store_code": "SH002"})
    session.commit()
    assert [(t.id, t.store_code) for t in case.open_tasks] == [(second.id, "SH002")]
    case = engine.complete(session, second.id, m2, {"answer": "needs more racks"})
    session.commit()
    assert (case.status, case.outcome) == ("completed", "surveyed")
    data = queries.case_data(engine, session, session.get(ProcessInstance, case.id))
    assert data["answers"] == ["ok", "needs more racks"]
    assert "store_code" not in data and "answer" not in data
