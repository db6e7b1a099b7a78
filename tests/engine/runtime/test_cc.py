"""抄送: by hand (participants only) and by a model step; a cc shows that one case, read-only."""
import pytest
from sqlalchemy import select

from engine import InvalidData, NotFound, PermissionDenied, queries
from engine.access import may_see, visible_task
from engine.bpmn.deploy import deploy_directory
from engine.models import AuditEvent, CaseCc, ProcessInstance
from engine.runtime import cc_case, mark_cc_read


def _start(engine, session, people, store="SH001", starter="manager_sh001"):
    case = engine.start(session, "lanes_gateway", people[starter], {"store_code": store, "amount": 120})
    session.commit()
    return case


def test_a_participant_ccs_colleagues_who_then_see_that_case_only(engine, session, people, deployed, clock):
    mine = _start(engine, session, people)
    other = _start(engine, session, people, "SH002", "manager_sh002")
    cs, north = people["cs_li"], people["supervisor_north"]
    assert not may_see(session, cs, session.get(ProcessInstance, mine.id), rules=engine.supervision)
    names = cc_case(engine, session, mine.id, people["manager_sh001"], ["cs_li", "supervisor_north", "cs_li"],
                    "  FYI  ")
    session.commit()
    assert names == ["cs_li", "supervisor_north"]
    for person in (cs, north):
        assert may_see(session, person, session.get(ProcessInstance, mine.id), rules=engine.supervision)
        assert not may_see(session, person, session.get(ProcessInstance, other.id), rules=engine.supervision)
    # the task of the case is visible, but nothing may be done with it
    task = visible_task(session, cs, mine.open_tasks[0].id, rules=engine.supervision)
    assert queries.task_actions(session, cs, task, engine.supervision) == ("comment",)
    page = queries.list_cases(session, cs, queries.CaseFilter(), clock(), rules=engine.supervision)
    assert [r.id for r in page.items] == [mine.id]
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "case_cc")).all()
    assert (event.actor.username, event.message, event.data) == (
        "manager_sh001", "FYI", {"to": ["cs_li", "supervisor_north"]})
    inbox = queries.cc_list(session, cs)
    assert [(e.case.id, e.by, e.note, e.unread) for e in inbox.items] == [
        (mine.id, "manager_sh001", "FYI", True)]
    assert queries.cc_unread(session, cs) == 1
    assert mark_cc_read(session, cs, mine.id, clock.advance(minutes=5))
    session.commit()
    assert not mark_cc_read(session, cs, mine.id, clock())
    assert queries.cc_unread(session, cs) == 0 and not queries.cc_list(session, cs).items[0].unread
    # cc'd again: unread again, with the newer note
    cc_case(engine, session, mine.id, people["supervisor_east"], ["cs_li"], "please look")
    session.commit()
    assert [(e.by, e.note, e.unread) for e in queries.cc_list(session, cs).items] == [
        ("supervisor_east", "please look", True)]
    assert session.scalar(select(CaseCc.id).where(CaseCc.user_id == cs.id).limit(2)) is not None
    assert len(session.scalars(select(CaseCc).where(CaseCc.user_id == cs.id)).all()) == 1


def test_who_may_not_cc_and_bad_names(engine, session, people, deployed):
    case = _start(engine, session, people)
    with pytest.raises(NotFound):  # cannot see the case at all
        cc_case(engine, session, case.id, people["cs_li"], ["director"], "")
    # sees the step in the pool (deputy of the same store) but has not taken part
    with pytest.raises(PermissionDenied):
        cc_case(engine, session, case.id, people["deputy_sh001"], ["director"], "")
    cc_case(engine, session, case.id, people["manager_sh001"], ["cs_li"], "")
    session.commit()
    with pytest.raises(PermissionDenied):  # a cc'd person only reads
        cc_case(engine, session, case.id, people["cs_li"], ["director"], "")
    m1 = people["manager_sh001"]
    for names, why in (([], "required"), (None, "required"), (["  "], "required"),
                       (["nobody"], "unknown user nobody"), (["manager_sh001"], "you cannot cc yourself"),
                       ([f"u{i}" for i in range(21)], "at most 20")):
        with pytest.raises(InvalidData) as refused:
            cc_case(engine, session, case.id, m1, names, "")
        assert refused.value.fields == {"usernames": why}
    with pytest.raises(InvalidData):
        cc_case(engine, session, case.id, m1, ["director"], "x" * 2001)
    # someone who completed a step takes part
    engine.complete(session, case.open_tasks[0].id, people["deputy_sh001"], {"summary": "s"})
    session.commit()
    assert cc_case(engine, session, case.id, people["deputy_sh001"], ["director"], "") == ["director"]


def test_a_model_step_ccs_roles_in_scope_and_people(engine, session, people, deployed, model_dir, clock):
    folder = model_dir("lanes_gateway")
    path = folder / "lanes_gateway.bpmn"
    path.write_text(path.read_text("utf-8").replace(
        '<spiffworkflow:property name="dueInHours" value="24" />',
        '<spiffworkflow:property name="dueInHours" value="24" />'
        '<spiffworkflow:property name="cc" '
        'value="role:store_supervisor, cs_li, role:store_manager, ghost" />'),
        "utf-8")
    deploy_directory(session, folder, now=clock())
    session.commit()
    case = _start(engine, session, people)
    engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "s"})
    session.commit()
    cc = {c.user.username: c.element_id for c in session.scalars(select(CaseCc))}
    # the EAST supervisor (not NORTH's), cs_li, the other SH001 manager (not the completer, not SH002's)
    assert cc == {"supervisor_east": "report", "cs_li": "report", "deputy_sh001": "report"}
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "case_cc")).all()
    assert (event.actor, event.element_id, sorted(event.data["to"])) == (
        None, "report", ["cs_li", "deputy_sh001", "supervisor_east"])
    [entry] = queries.cc_list(session, people["cs_li"]).items
    assert (entry.by, entry.step) == (None, "report")


def test_a_cc_racing_a_completion_fails_rather_than_write_over_it(engine, session, people, deployed, race):
    from engine import ConcurrentUpdate, Conflict
    from engine.models import HumanTask, User
    case = _start(engine, session, people)
    task_id, m1, sup = case.open_tasks[0].id, people["manager_sh001"], people["supervisor_east"]
    error = race(lambda s: engine.complete(s, task_id, s.get(User, m1.id), {"summary": "first"}),
                 lambda s: cc_case(engine, s, case.id, s.get(User, sup.id), ["cs_li"], ""),
                 wait_on="case_row")
    assert isinstance(error, (ConcurrentUpdate, Conflict)), repr(error)
    session.expire_all()
    assert session.get(HumanTask, task_id).state == "completed"
    assert session.scalars(select(CaseCc)).all() == []
