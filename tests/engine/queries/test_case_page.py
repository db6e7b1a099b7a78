"""The path a case took, as its diagram marks it: the flows actually taken, not every flow between
two elements the case happened to reach (path_choice: start → size_gate → [approve →] merge → report)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from engine import NotFound, runtime
from engine.models import SEED_MARK, AuditEvent, HumanTask, ProcessInstance
from engine.queries import case_page as case_history
from workflows.registry import SUPERVISION


def _marks(session, instance, clock):
    return case_history.diagram_markers(session, instance, clock())


def test_a_direct_path_does_not_light_the_branch_it_skipped(engine, session, people, deployed, clock):
    case = engine.start(session, "path_choice", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 100})
    session.commit()
    instance = session.get(ProcessInstance, case.id)
    marks = _marks(session, instance, clock)
    assert (marks.completed, marks.current) == (["merge", "size_gate", "start"], ["report"])
    assert marks.flows == ["p_start", "p_direct", "p_report"]


def test_a_detour_lights_the_detour_and_not_the_shortcut(engine, session, people, deployed, clock):
    """Both ends of the shortcut `size_gate → merge` were reached, but the case went round by approve."""
    case = engine.start(session, "path_choice", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 900})
    case = engine.complete(session, case.open_tasks[0].id, people["director"], {"approved": True})
    engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "done"})
    session.commit()
    marks = _marks(session, session.get(ProcessInstance, case.id), clock)
    assert marks.current == [] and "end" in marks.completed
    assert marks.flows == ["p_start", "p_big", "p_approved", "p_report", "p_end"]


def test_events_that_do_not_say_where_they_came_from_fall_back_to_reached_ends(engine, session, people,
                                                                               deployed, clock):
    """Seeded history records no `from`: then a flow counts when both its ends were reached."""
    case = engine.start(session, "path_choice", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 900})
    case = engine.complete(session, case.open_tasks[0].id, people["director"], {"approved": True})
    session.execute(update(AuditEvent)
                    .where(AuditEvent.instance_id == case.id, AuditEvent.event_type == "step")
                    .values(data=None))
    session.commit()
    marks = _marks(session, session.get(ProcessInstance, case.id), clock)
    assert marks.flows == ["p_start", "p_big", "p_direct", "p_approved", "p_report"]


def test_diagram_marks_follow_the_events(engine, session, people, supervised_cases, clock):
    case = supervised_cases["a"]
    instance = session.get(ProcessInstance, case.id)
    marks = case_history.diagram_markers(session, instance, clock())
    assert (marks.completed, marks.current, marks.overdue, marks.flows) == (["start"], ["report"], [], ["f1"])
    clock.advance(hours=30)
    assert case_history.diagram_markers(session, instance, clock()).overdue == ["report"]
    engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "ok"})
    marks = case_history.diagram_markers(session, instance, clock())
    assert (marks.completed, marks.current, marks.flows) == (["report", "start"], ["approve"], ["f1", "f2"])
    approve = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == case.id,
                                                        HumanTask.state == "open"))
    engine.complete(session, approve, people["director"], {"approved": False})
    session.commit()
    marks = case_history.diagram_markers(session, instance, clock())
    assert marks.current == []
    assert set(marks.completed) == {"start", "report", "approve", "decide", "end_rejected"}
    assert marks.flows == ["f1", "f2", "f3", "f_no"] and marks.visits["report"] == 1


def test_case_page_events_data_and_holders(engine, session, people, supervised_cases, clock):
    case = supervised_cases["a"]
    runtime.reassign(engine, session, people["director"], case.open_tasks[0].id, "manager_sh001b", "代班")
    session.commit()
    page = case_history.case_page_view(engine, session, people["supervisor_east"], case.id, clock())
    assert page.may_supervise and page.case.id == case.id and page.attachments == []
    assert (page.data["store_code"], page.data["amount"]) == ("SH001", 100)
    assert page.events[0].event_type == "started" and page.events[-1].event_type == "task_assigned"
    assert page.element_names["report"] == "门店填报" and page.markers.current == ["report"]
    [task] = page.tasks
    assert (task.assignee, task.assignee_name, task.overdue) == ("manager_sh001b", "李店长", False)
    candidates = {u for u, _ in task.candidates}
    assert "manager_sh001" in candidates and not candidates & {"manager_sh001b", "manager_sh002", "director"}
    plain = case_history.case_page_view(engine, session, people["manager_sh001"], case.id, clock())
    assert not plain.may_supervise and plain.tasks[0].candidates == []
    with pytest.raises(NotFound):
        case_history.case_page_view(engine, session, people["cs_li"], case.id, clock())
    diagram = case_history.diagram_of(session, people["manager_sh001"], case.id, rules=SUPERVISION)
    assert 'id="lanes_gateway"' in diagram
    with pytest.raises(NotFound):
        case_history.diagram_of(session, people["cs_li"], case.id, rules=SUPERVISION)


def test_seeded_case_data_comes_from_its_events(engine, session, people, supervised_cases, clock):
    row = session.get(ProcessInstance, supervised_cases["b"].id)
    row.serializer_version, row.state = SEED_MARK, ""
    session.commit()
    page = case_history.case_page_view(engine, session, people["director"], row.id, clock())
    assert page.data == {"store_code": "SH002", "amount": 100}
