"""The supervisor's case list, case actions one by one and in bulk, and the case page's diagram marks
and timeline, on real cases of the fixture model (start → report → approve → decide → end)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine import Conflict, InvalidData, NotFound, PermissionDenied, queries, runtime
from engine.bpmn.deploy import deploy_directory
from engine.directory.accounts import RoleSpec, insert_user_unchecked
from engine.models import SEED_MARK, AuditEvent, HumanTask, ProcessInstance
from engine.queries import case_page as case_history
from engine.queries.case_list import case_list_rows
from workflows.registry import SUPERVISION

MODELS = Path(__file__).parent / "bpmn"


@pytest.fixture
def cases(engine, session, people, clock, tmp_path):
    """Three fixture cases and one 'complaint' (the same model under the complaint process key)."""
    folder = tmp_path / "models"
    folder.mkdir()
    for f in MODELS.iterdir():
        (folder / f.name).write_text(f.read_text("utf-8"), "utf-8")
    text = (MODELS / "lanes_gateway.bpmn").read_text("utf-8")
    complaint = text.replace('"lanes_gateway"', '"complaint_handling"')
    (folder / "complaint_handling.bpmn").write_text(complaint, "utf-8")
    deploy_directory(session, folder, now=clock())
    now = clock()
    people["manager_bj001"] = insert_user_unchecked(session, "manager_bj001", "secret1", now=now,
                                          roles=[RoleSpec("store_manager", "BJ001")])
    people["cs_manager"] = insert_user_unchecked(session, "cs_manager", "secret1", now=now,
                                       roles=[RoleSpec("cs_manager")])
    people["manager_sh001b"] = insert_user_unchecked(session, "manager_sh001b", "secret1", now=now, display_name="李店长",
                                           roles=[RoleSpec("store_manager", "SH001")])
    session.commit()
    made = {}
    for name, starter, store in (("a", "manager_sh001", "SH001"), ("b", "manager_sh002", "SH002"),
                                 ("c", "manager_bj001", "BJ001")):
        made[name] = engine.start(session, "lanes_gateway", people[starter],
                                  {"store_code": store, "amount": 100})
        clock.advance(hours=1)
    made["complaint"] = engine.start(session, "complaint_handling", people["manager_sh001"],
                                     {"store_code": "SH001", "amount": 5})
    session.commit()
    return made


def ids(page):
    return sorted(row.id for row in page.items)


def listed(session, user, clock, **filters):
    return queries.list_cases(session, user, queries.CaseFilter(**filters), clock(), rules=SUPERVISION)


def test_who_sees_which_cases(session, people, cases, clock):
    a, b, c, complaint = cases["a"].id, cases["b"].id, cases["c"].id, cases["complaint"].id
    assert ids(listed(session, people["director"], clock)) == [a, b, c, complaint]
    assert ids(listed(session, people["supervisor_east"], clock)) == [a, b, complaint]
    assert ids(listed(session, people["cs_manager"], clock)) == [complaint]
    assert ids(listed(session, people["manager_sh001"], clock)) == [a, complaint]  # started them
    assert ids(listed(session, people["manager_sh001b"], clock)) == [a, complaint]  # may take their tasks
    assert ids(listed(session, people["cs_li"], clock)) == []


def test_every_filter(engine, session, people, cases, clock):
    director = people["director"]
    a, b, c, complaint = cases["a"].id, cases["b"].id, cases["c"].id, cases["complaint"].id
    assert ids(listed(session, director, clock, process="complaint_handling")) == [complaint]
    assert ids(listed(session, director, clock, version=1)) == [a, b, c, complaint]
    assert ids(listed(session, director, clock, version=2)) == []
    assert ids(listed(session, director, clock, store_code="SH002")) == [b]
    assert ids(listed(session, director, clock, region="EAST")) == [a, b, complaint]
    assert ids(listed(session, director, clock, started_by="manager_sh001")) == [a, complaint]
    start = session.get(ProcessInstance, b).started_at
    assert ids(listed(session, director, clock, started_from=start)) == [b, c, complaint]
    one_hour = listed(session, director, clock, started_from=start, started_to=start + timedelta(hours=1))
    assert ids(one_hour) == [b]
    assert ids(listed(session, director, clock, search=cases["c"].business_key)) == [c]
    engine.terminate(session, c, director, "duplicate")
    session.commit()
    assert ids(listed(session, director, clock, status="terminated")) == [c]
    assert ids(listed(session, director, clock, status="running")) == [a, b, complaint]
    assert listed(session, director, clock, overdue=True).total == 0
    clock.advance(hours=21, minutes=30)  # a's report (due 24h after its start) is late, b's not yet
    assert ids(listed(session, director, clock, overdue=True)) == [a]
    assert ids(listed(session, director, clock, overdue=False)) == [b, c, complaint]
    page = listed(session, director, clock, sort="due", per_page=2)
    assert [r.id for r in page.items] == [a, b] and (page.total, page.pages) == (4, 2)
    second = listed(session, director, clock, sort="due", per_page=2, page=2)
    assert [r.id for r in second.items] == [complaint, c]
    assert [r.id for r in listed(session, director, clock, sort="oldest", per_page=1).items] == [a]
    for bad in ({"status": "nope"}, {"sort": "x"}, {"per_page": 500}, {"page": 0},
                {"started_from": start, "started_to": start}):
        with pytest.raises(InvalidData):
            listed(session, director, clock, **bad)


def test_rows_show_current_steps_holders_age_and_due_state(engine, session, people, cases, clock):
    a = cases["a"]
    engine.claim(session, a.open_tasks[0].id, people["manager_sh001"])
    session.commit()
    clock.advance(hours=20)
    rows = {r.id: r for r in listed(session, people["director"], clock).items}
    row = rows[a.id]
    assert (row.process_key, row.process_name, row.version, row.status) == (
        "lanes_gateway", "泳道与排他网关", 1, "running")
    assert (row.started_by, row.store_code, row.region) == ("manager_sh001", "SH001", "EAST")
    [step] = row.steps
    assert (step.element_id, step.name, step.role, step.assignee) == ("report", "门店填报", "store_manager",
                                                                       "manager_sh001")
    assert row.age == timedelta(hours=23) and row.due_state == "due_soon" and not row.seeded
    assert rows[cases["b"].id].steps[0].assignee is None
    clock.advance(hours=2)
    assert case_list_rows(session, [a.id], clock())[0].due_state == "overdue"
    exported = list(queries.iter_cases(session, people["director"], queries.CaseFilter(), clock(),
                                          chunk=3, rules=SUPERVISION))
    assert [r.id for r in exported] == sorted((r.id for r in exported), reverse=True) and len(exported) == 4


def events_of(session, instance_id, kind):
    return session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                    AuditEvent.event_type == kind)).all()


def test_case_actions_need_a_reason_visibility_and_supervision(engine, session, people, cases, clock):
    a, c = cases["a"].id, cases["c"].id
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
        ("suspended", "等待门店盘点", east.id), ("resumed", "盘点完成", east.id), ("terminated", "重复申请", east.id)]
    with pytest.raises(Conflict):
        runtime.case_action(engine, session, director, a, "terminate", "again")


def test_seeded_cases_refuse_workflow_commands(engine, session, people, cases):
    row = session.get(ProcessInstance, cases["b"].id)
    row.serializer_version = SEED_MARK
    session.commit()
    with pytest.raises(Conflict):
        runtime.case_action(engine, session, people["director"], row.id, "terminate", "old")


def test_reassign_needs_reason_and_an_eligible_person(engine, session, people, cases):
    task_id = cases["a"].open_tasks[0].id
    director = people["director"]
    with pytest.raises(InvalidData):
        runtime.reassign(engine, session, director, task_id, "manager_sh001b", "")
    with pytest.raises(InvalidData):
        runtime.reassign(engine, session, director, task_id, "manager_sh002", "wrong store")
    with pytest.raises(NotFound):
        runtime.reassign(engine, session, people["supervisor_east"], cases["c"].open_tasks[0].id,
                            "manager_bj001", "not visible")
    view = runtime.reassign(engine, session, director, task_id, "manager_sh001b", "店长休假")
    session.commit()
    assert view.assignee == "manager_sh001b"
    [event] = events_of(session, cases["a"].id, "task_assigned")
    assert (event.message, event.data, event.actor_id) == ("店长休假", {"from": None, "to": "manager_sh001b"},
                                                           director.id)


def test_bulk_actions_case_by_case(engine, session, people, cases):
    a, b, c, complaint = cases["a"].id, cases["b"].id, cases["c"].id, cases["complaint"].id
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


def test_diagram_marks_follow_the_events(engine, session, people, cases, clock):
    case = cases["a"]
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


def test_case_page_events_data_and_holders(engine, session, people, cases, clock):
    case = cases["a"]
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


def test_seeded_case_data_comes_from_its_events(engine, session, people, cases, clock):
    row = session.get(ProcessInstance, cases["b"].id)
    row.serializer_version, row.state = SEED_MARK, ""
    session.commit()
    page = case_history.case_page_view(engine, session, people["director"], row.id, clock())
    assert page.data == {"store_code": "SH002", "amount": 100}


def test_a_page_past_the_end_is_empty_however_far(session, people, cases, clock):
    """The offset of page 2**62 does not fit the database's 64-bit integers: it is never sent."""
    director = people["director"]
    for page in (3, 2**62, 2**63 - 1):
        f = queries.CaseFilter(page=page, per_page=2)
        far = queries.list_case_views(session, director, f, clock(), rules=SUPERVISION)
        assert (far.items, far.total) == ([], 4)


@pytest.mark.parametrize("field, moment", [
    ("started_to", datetime(1, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))),
    ("started_from", datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=5)))),
])
def test_a_moment_utc_cannot_hold_is_refused_naming_the_field(session, people, clock, field, moment):
    """Found by the API's contract run: started_to=0001-01-01 (midnight in China) is the year 0 in UTC."""
    with pytest.raises(InvalidData) as refused:
        listed(session, people["director"], clock, **{field: moment})
    assert refused.value.fields == {field: "out of range"}
