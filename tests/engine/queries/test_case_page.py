"""The path a case took, as its diagram marks it: the flows actually taken, not every flow between
two elements the case happened to reach (path_choice: start → size_gate → [approve →] merge → report)."""
from __future__ import annotations

from sqlalchemy import update

from engine.models import AuditEvent, ProcessInstance
from engine.queries import case_page as case_history


def _marks(session, instance, clock):
    return case_history.diagram_markers(session, instance, clock())


def test_a_direct_path_does_not_light_the_branch_it_skipped(engine, session, people, deployed, clock):
    case = engine.start(session, "path_choice", people["manager_sh001"], {"store_code": "SH001", "amount": 100})
    session.commit()
    instance = session.get(ProcessInstance, case.id)
    marks = _marks(session, instance, clock)
    assert (marks.completed, marks.current) == (["merge", "size_gate", "start"], ["report"])
    assert marks.flows == ["p_start", "p_direct", "p_report"]


def test_a_detour_lights_the_detour_and_not_the_shortcut(engine, session, people, deployed, clock):
    """Both ends of the shortcut `size_gate → merge` were reached, but the case went round by approve."""
    case = engine.start(session, "path_choice", people["manager_sh001"], {"store_code": "SH001", "amount": 900})
    case = engine.complete(session, case.open_tasks[0].id, people["director"], {"approved": True})
    engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "done"})
    session.commit()
    marks = _marks(session, session.get(ProcessInstance, case.id), clock)
    assert marks.current == [] and "end" in marks.completed
    assert marks.flows == ["p_start", "p_big", "p_approved", "p_report", "p_end"]


def test_events_that_do_not_say_where_they_came_from_fall_back_to_reached_ends(engine, session, people,
                                                                               deployed, clock):
    """Seeded history records no `from`: then a flow counts when both its ends were reached."""
    case = engine.start(session, "path_choice", people["manager_sh001"], {"store_code": "SH001", "amount": 900})
    case = engine.complete(session, case.open_tasks[0].id, people["director"], {"approved": True})
    session.execute(update(AuditEvent).where(AuditEvent.instance_id == case.id, AuditEvent.event_type == "step")
                    .values(data=None))
    session.commit()
    marks = _marks(session, session.get(ProcessInstance, case.id), clock)
    assert marks.flows == ["p_start", "p_big", "p_direct", "p_approved", "p_report"]
