"""Work goes to its person: a new task goes to the one active holder of its role in the case's scope,
or to the person its model names; otherwise it waits in the pool."""
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import PermissionDenied, ProcessError, queries
from engine.bpmn.deploy import deploy_directory
from engine.directory.accounts import RoleSpec, insert_user_unchecked
from engine.models import AuditEvent, HumanTask

MODELS = Path(__file__).parents[1] / "fixture_models"


def _events(session, task_id, kind="task_assigned"):
    return session.scalars(select(AuditEvent).where(AuditEvent.task_id == task_id,
                                                    AuditEvent.event_type == kind)).all()


def test_the_one_holder_in_scope_gets_the_task_without_claiming(engine, session, people, deployed):
    case = engine.start(session, "lanes_gateway", people["manager_sh002"],
            {"store_code": "SH002", "amount": 1})
    session.commit()
    [report] = case.open_tasks
    assert report.assignee == "manager_sh002" and not report.claimable
    task = session.get(HumanTask, report.id)
    assert task.claimed_at is not None
    [event] = _events(session, report.id)
    assert (event.actor_id, event.data) == (None, {"to": "manager_sh002", "by": "rule"})
    # in her 待办 and counted in her badge; nobody else's pool
    mine = queries.list_tasks(session, people["manager_sh002"], queries.TaskFilter(), engine.clock())
    assert [t.id for t in mine.items] == [report.id]
    assert queries.task_counts(session, people["manager_sh002"])["todo"] == 1
    # the director is the only ops_director (unscoped): the next step goes straight to him
    case = engine.complete(session, report.id, people["manager_sh002"], {"summary": "ok"})
    session.commit()
    assert [t.assignee for t in case.open_tasks] == ["director"]


def test_two_holders_in_scope_leave_the_task_in_the_pool(engine, session, people, deployed):
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
            {"store_code": "SH001", "amount": 1})
    session.commit()
    [report] = case.open_tasks
    assert report.assignee is None and report.claimable
    assert _events(session, report.id) == []
    for name in ("manager_sh001", "deputy_sh001"):
        todo = queries.list_tasks(session, people[name], queries.TaskFilter(scope="todo"), engine.clock())
        assert [(t.id, t.claimable) for t in todo.items] == [(report.id, True)]
        assert queries.task_counts(session, people[name]) == {"mine": 0, "claimable": 1, "todo": 1}


def test_an_inactive_holder_does_not_count(engine, session, people, deployed):
    people["deputy_sh001"].active = False
    session.commit()
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
            {"store_code": "SH001", "amount": 1})
    session.commit()
    assert case.open_tasks[0].assignee == "manager_sh001"


def test_a_region_and_an_unscoped_holder_both_count(engine, session, people, deployed, clock):
    """The grants that cover the task are what counts: a regional and a company-wide holder of the
    same role make it two; another region's holder does not."""
    insert_user_unchecked(session, "director_east", None, password_hash="!", now=clock(),
                          roles=[RoleSpec("ops_director", region="NORTH")])
    session.commit()
    case = engine.start(session, "lanes_gateway", people["manager_sh002"],
            {"store_code": "SH002", "amount": 1})
    case = engine.complete(session, case.open_tasks[0].id, people["manager_sh002"], {"summary": "ok"})
    session.commit()
    assert case.open_tasks[0].assignee == "director"  # the NORTH one does not cover SH002 (EAST)
    insert_user_unchecked(session, "director_2", None, password_hash="!", now=clock(),
                          roles=[RoleSpec("ops_director", region="EAST")])
    session.commit()
    case = engine.start(session, "lanes_gateway", people["manager_sh002"],
            {"store_code": "SH002", "amount": 1})
    case = engine.complete(session, case.open_tasks[0].id, people["manager_sh002"], {"summary": "ok"})
    session.commit()
    assert case.open_tasks[0].assignee is None


def _named_model(session, clock, tmp_path, expression):
    folder = tmp_path / "named"
    folder.mkdir()
    for form in MODELS.glob("*.json"):
        (folder / form.name).write_text(form.read_text("utf-8"), "utf-8")
    text = (MODELS / "lanes_gateway.bpmn").read_text("utf-8").replace('"lanes_gateway"', '"named_approver"')
    text = text.replace('<spiffworkflow:property name="formJsonSchemaFilename" value="approve.json" />',
                        '<spiffworkflow:property name="formJsonSchemaFilename" value="approve.json" />'
                        f'<spiffworkflow:property name="assignee" value="{expression}" />')
    (folder / "named_approver.bpmn").write_text(text, "utf-8")
    deploy_directory(session, folder, now=clock())
    session.commit()


def test_a_model_names_the_starter_who_may_act_without_the_lane_role(engine, session, people, deployed, clock,
                                                                     tmp_path):
    _named_model(session, clock, tmp_path, "started_by")
    m1, deputy = people["manager_sh001"], people["deputy_sh001"]
    case = engine.start(session, "named_approver", m1, {"store_code": "SH001", "amount": 1})
    case = engine.complete(session, case.open_tasks[0].id, deputy, {"summary": "ok"})
    session.commit()
    [approve] = case.open_tasks
    assert approve.assignee == "manager_sh001"
    [event] = _events(session, approve.id)
    assert event.data == {"to": "manager_sh001", "by": "model"}
    detail = queries.task_detail(engine, session, m1, approve.id)
    assert detail.may_act and "complete" in detail.actions
    with pytest.raises(PermissionDenied):  # the director holds the role but the task is m1's
        engine.complete(session, approve.id, people["director"], {"approved": True})
    session.rollback()
    case = engine.complete(session, approve.id, m1, {"approved": True})
    session.commit()
    assert (case.status, case.outcome) == ("completed", "approved")


def test_a_model_names_who_completed_an_earlier_step(engine, session, people, deployed, clock, tmp_path):
    _named_model(session, clock, tmp_path, "completed_by[&quot;report&quot;]")
    case = engine.start(session, "named_approver", people["manager_sh001"],
            {"store_code": "SH001", "amount": 1})
    case = engine.complete(session, case.open_tasks[0].id, people["deputy_sh001"], {"summary": "ok"})
    session.commit()
    assert case.open_tasks[0].assignee == "deputy_sh001"


def test_a_named_person_who_is_inactive_leaves_the_role_rule(engine, session, people, deployed, clock,
                                                              tmp_path):
    _named_model(session, clock, tmp_path, "started_by")
    starter = people["manager_sh002"]
    case = engine.start(session, "named_approver", starter, {"store_code": "SH002", "amount": 1})
    session.commit()
    starter.active = False  # she leaves before her report is through (her last act)
    session.flush()
    case = engine.complete(session, case.open_tasks[0].id, starter, {"summary": "ok"})
    session.commit()
    [approve] = case.open_tasks
    assert approve.assignee == "director"  # the one ops_director, by the rule
    assert _events(session, approve.id)[0].data["by"] == "rule"


def test_a_failing_assignee_expression_refuses_the_command_naming_the_step(engine, session, people, deployed,
                                                                          clock, tmp_path):
    _named_model(session, clock, tmp_path, "completed_by[&quot;nowhere&quot;]")
    case = engine.start(session, "named_approver", people["manager_sh001"],
            {"store_code": "SH001", "amount": 1})
    session.commit()
    with pytest.raises(ProcessError) as refused:
        engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "ok"})
    assert refused.value.element == "approve"
    session.rollback()
    assert session.get(HumanTask, case.open_tasks[0].id).state == "open"
