"""A supervisor's case actions one by one and in bulk, and reassigning a task: each needs a reason,
sight of the case and the right to supervise it, and is audited with its actor."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import Conflict, InvalidData, NotFound, PermissionDenied, runtime
from engine.models import SEED_MARK, AuditEvent, HumanTask, ProcessInstance


def events_of(session, instance_id, kind):
    return session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                    AuditEvent.event_type == kind)).all()


def test_case_actions_need_a_reason_visibility_and_supervision(engine, session, people, supervised_cases,
                                                               clock):
    a, c = supervised_cases["a"].id, supervised_cases["c"].id
    director, east = people["director"], people["supervisor_east"]
    with pytest.raises(InvalidData):
        runtime.case_action(engine, session, director, a, "suspend", "   ")
    with pytest.raises(NotFound):
        runtime.case_action(engine, session, east, c, "suspend", "not my region")
    with pytest.raises(PermissionDenied):
        runtime.case_action(engine, session, people["manager_sh001"], a, "suspend", "mine")
    with pytest.raises(InvalidData):
        runtime.case_action(engine, session, director, a, "delete", "x")
    runtime.case_action(engine, session, east, a, "suspend", "等待门店盘点")
    runtime.case_action(engine, session, east, a, "resume", "盘点完成")
    runtime.case_action(engine, session, east, a, "terminate", "重复申请")
    session.commit()
    assert [(e.event_type, e.message, e.actor_id) for e in events_of(session, a, "suspended")
            + events_of(session, a, "resumed") + events_of(session, a, "terminated")] == [
        ("suspended", "等待门店盘点", east.id), ("resumed", "盘点完成", east.id),
        ("terminated", "重复申请", east.id)]
    with pytest.raises(Conflict):
        runtime.case_action(engine, session, director, a, "terminate", "again")


def test_seeded_cases_refuse_workflow_commands(engine, session, people, supervised_cases):
    row = session.get(ProcessInstance, supervised_cases["b"].id)
    row.serializer_version = SEED_MARK
    session.commit()
    with pytest.raises(Conflict):
        runtime.case_action(engine, session, people["director"], row.id, "terminate", "old")


def test_reassign_needs_reason_and_an_eligible_person(engine, session, people, supervised_cases):
    task_id = supervised_cases["a"].open_tasks[0].id
    director = people["director"]
    with pytest.raises(InvalidData):
        runtime.reassign(engine, session, director, task_id, "manager_sh001b", "")
    with pytest.raises(InvalidData):
        runtime.reassign(engine, session, director, task_id, "manager_sh002", "wrong store")
    with pytest.raises(NotFound):
        runtime.reassign(engine, session, people["supervisor_east"], supervised_cases["c"].open_tasks[0].id,
                            "manager_bj001", "not visible")
    view = runtime.reassign(engine, session, director, task_id, "manager_sh001b", "店长休假")
    session.commit()
    assert view.assignee == "manager_sh001b"
    [event] = events_of(session, supervised_cases["a"].id, "task_assigned")
    assert (event.message, event.data, event.actor_id) == ("店长休假", {"from": None, "to": "manager_sh001b"},
                                                           director.id)


def test_bulk_actions_case_by_case(engine, session, people, supervised_cases):
    a, b, c, complaint = (supervised_cases[k].id for k in ("a", "b", "c", "complaint"))
    east = people["supervisor_east"]
    with pytest.raises(InvalidData):
        runtime.bulk_action(engine, session, east, "suspend", [a], "")
    with pytest.raises(InvalidData):
        runtime.bulk_action(engine, session, east, "suspend", [], "x")
    results = runtime.bulk_action(engine, session, east, "suspend", [a, c, b, a], "月底盘点暂停")
    session.commit()
    assert [(r.id, r.ok) for r in results] == [(a, True), (c, False), (b, True)]
    assert "does not exist" in results[1].message
    assert {session.get(ProcessInstance, i).status for i in (a, b)} == {"suspended"}
    assert session.get(ProcessInstance, c).status == "running"
    results = runtime.bulk_action(engine, session, east, "suspend", [a, complaint], "again")
    session.commit()
    assert [(r.ok, r.id) for r in results] == [(False, a), (True, complaint)]
    assert len(events_of(session, a, "suspended")) == 1
    results = runtime.bulk_action(engine, session, people["director"], "resume", [complaint, c], "恢复")
    assert [r.ok for r in results] == [True, False] and "resumed" in results[1].message
    results = runtime.bulk_action(engine, session, people["director"], "reassign", [complaint, b, c], "代班",
                                     assignee="manager_sh001b")
    session.commit()
    assert [(r.id, r.ok, r.message) for r in results][0] == (complaint, True, "1/1")
    assert "suspended" in results[1].message and "no open task" in results[2].message
    assert session.scalar(select(HumanTask.assignee_id).where(HumanTask.instance_id == complaint)) == \
        people["manager_sh001b"].id
    assert len(events_of(session, complaint, "task_assigned")) == 1
