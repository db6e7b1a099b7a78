"""代理: while a person is away, work that would be theirs goes to their deputy, marked on whose
behalf, and the deputy sees and may take the person's pool; before and after the period nothing
changes."""
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import ConcurrentUpdate, PermissionDenied, access, queries, runtime
from engine.bpmn.deploy import deploy_directory
from engine.directory import set_away
from engine.models import AuditEvent, AwayPeriod, HumanTask

MODELS = Path(__file__).parents[1] / "fixture_models"


def _away(session, clock, person, deputy, *, starts=0, days=7):
    set_away(session, person, person.id, deputy=deputy.username, starts_at=clock() + timedelta(hours=starts),
             ends_at=clock() + timedelta(hours=starts) + timedelta(days=days), now=clock())
    session.commit()


def _start(engine, session, people, store="SH002"):
    case = engine.start(session, "lanes_gateway", people["manager_sh001"], {"store_code": store, "amount": 1})
    session.commit()
    return case.open_tasks[0]


def _assigned(session, task_id):
    return session.scalars(select(AuditEvent).where(AuditEvent.task_id == task_id,
                                                    AuditEvent.event_type == "task_assigned")).one()


def test_a_new_task_of_an_away_person_goes_to_the_deputy_marked_on_their_behalf(engine, session, people,
                                                                                 deployed, clock):
    m1, m2 = people["manager_sh001"], people["manager_sh002"]
    _away(session, clock, m2, m1)
    report = _start(engine, session, people)  # SH002's one manager is away: to her deputy
    assert report.assignee == "manager_sh001"
    row = session.get(HumanTask, report.id)
    assert (row.assignee_id, row.on_behalf_of_id) == (m1.id, m2.id)
    assert _assigned(session, report.id).data == {"to": "manager_sh001", "by": "rule",
                                                  "on_behalf_of": "manager_sh002"}
    [listed] = queries.list_tasks(session, m1, queries.TaskFilter(scope="mine"), clock()).items
    assert (listed.id, listed.on_behalf_of) == (report.id, "manager_sh002")
    detail = queries.task_detail(engine, session, m1, report.id)
    assert detail.task.on_behalf_of == "manager_sh002" and "complete" in detail.actions
    assert queries.list_tasks(session, m2, queries.TaskFilter(), clock()).items == []
    case = engine.complete(session, report.id, m1, {"summary": "done for her"})
    session.commit()
    assert case.open_tasks[0].assignee == "director"


@pytest.mark.parametrize(("starts", "advance", "holder"), [
    (1, 0, "manager_sh002"),  # not yet away
    (0, 0, "manager_sh001"),  # from the start, inclusive
    (0, 7 * 24 - 1, "manager_sh001"),  # the last hour
    (0, 7 * 24, "manager_sh002"),  # back: the end is exclusive
])
def test_the_period_holds_from_its_start_until_its_end(engine, session, people, deployed, clock, starts,
                                                       advance, holder):
    _away(session, clock, people["manager_sh002"], people["manager_sh001"], starts=starts)
    clock.advance(hours=advance)
    report = _start(engine, session, people)
    assert report.assignee == holder
    row = session.get(HumanTask, report.id)
    assert row.on_behalf_of_id == (people["manager_sh002"].id if holder == "manager_sh001" else None)


def test_an_inactive_deputy_takes_nothing(engine, session, people, deployed, clock):
    _away(session, clock, people["manager_sh002"], people["manager_sh001"])
    people["manager_sh001"].active = False
    session.commit()
    assert _start(engine, session, people).assignee == "manager_sh002"


def test_a_model_named_person_away_gives_the_step_to_the_deputy(engine, session, people, deployed, clock,
                                                                tmp_path):
    folder = tmp_path / "named"
    folder.mkdir()
    for form in MODELS.glob("*.json"):
        (folder / form.name).write_text(form.read_text("utf-8"), "utf-8")
    text = (MODELS / "lanes_gateway.bpmn").read_text("utf-8").replace('"lanes_gateway"', '"named_approver"')
    text = text.replace('<spiffworkflow:property name="formJsonSchemaFilename" value="approve.json" />',
                        '<spiffworkflow:property name="formJsonSchemaFilename" value="approve.json" />'
                        '<spiffworkflow:property name="assignee" value="started_by" />')
    (folder / "named_approver.bpmn").write_text(text, "utf-8")
    deploy_directory(session, folder, now=clock())
    session.commit()
    m1, m2 = people["manager_sh001"], people["manager_sh002"]
    case = engine.start(session, "named_approver", m2, {"store_code": "SH002", "amount": 1})
    session.commit()
    _away(session, clock, m2, m1)
    case = engine.complete(session, case.open_tasks[0].id, m2, {"summary": "ok"})  # hers from before
    session.commit()
    [approve] = case.open_tasks
    assert approve.assignee == "manager_sh001"
    assert _assigned(session, approve.id).data == {"to": "manager_sh001", "by": "model",
                                                   "on_behalf_of": "manager_sh002"}


def test_a_transfer_to_an_away_colleague_reaches_the_deputy(engine, session, people, deployed, clock):
    m1, d1, m2 = people["manager_sh001"], people["deputy_sh001"], people["manager_sh002"]
    report = _start(engine, session, people, "SH001")  # two managers: the pool
    engine.claim(session, report.id, m1)
    session.commit()
    _away(session, clock, d1, m2)
    view = runtime.transfer(engine, session, report.id, m1, "deputy_sh001", "I am off")
    session.commit()
    assert view.assignee == "manager_sh002"
    row = session.get(HumanTask, report.id)
    assert row.on_behalf_of_id == d1.id
    event = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task_transferred")).one()
    assert event.data == {"from": "manager_sh001", "to": "manager_sh002", "on_behalf_of": "deputy_sh001"}
    # the deputy of SH002 acts in SH001 for her colleague: completes it
    case = engine.complete(session, report.id, m2, {"summary": "done"})
    session.commit()
    assert case.open_tasks[0].element_id == "approve"


def test_a_deputy_sees_and_claims_the_pool_of_whom_they_stand_in_for(engine, session, people, deployed,
                                                                       clock):
    d1, m2 = people["deputy_sh001"], people["manager_sh002"]
    report = _start(engine, session, people, "SH001")
    assert queries.list_tasks(session, m2, queries.TaskFilter(), clock()).items == []
    with pytest.raises(PermissionDenied):
        engine.claim(session, report.id, m2)
    session.rollback()
    _away(session, clock, d1, m2)
    todo = queries.list_tasks(session, m2, queries.TaskFilter(), clock())
    assert [(t.id, t.claimable) for t in todo.items] == [(report.id, True)]
    assert queries.task_counts(session, m2, clock()) == {"mine": 0, "claimable": 1, "todo": 1}
    assert queries.worklist_stamp(session, m2, clock())["claimable"] == 1
    assert queries.task_counts(session, m2)["claimable"] == 0  # without the time: own grants only
    assert [(name, until) for name, _, until in access.standing_in_for(session, m2, clock())] == [
        ("deputy_sh001", clock() + timedelta(days=7))]
    assert access.standing_in_for(session, d1, clock()) == []
    detail = queries.task_detail(engine, session, m2, report.id)
    assert "claim" in detail.actions and not detail.may_act
    engine.claim(session, report.id, m2)
    session.commit()
    row = session.get(HumanTask, report.id)
    assert (row.assignee_id, row.on_behalf_of_id) == (m2.id, d1.id)
    claimed = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task_claimed")).one()
    assert claimed.data == {"on_behalf_of": "deputy_sh001"}
    engine.unclaim(session, report.id, m2)  # released: held for nobody
    session.commit()
    assert session.get(HumanTask, report.id).on_behalf_of_id is None
    clock.advance(days=8)  # back: the pool is hers again only
    assert queries.list_tasks(session, m2, queries.TaskFilter(), clock()).items == []
    with pytest.raises(PermissionDenied):
        engine.claim(session, report.id, m2)


def test_a_deputy_completes_a_pool_task_straight_away_on_the_person_s_behalf(engine, session, people,
                                                                             deployed, clock):
    d1, m2 = people["deputy_sh001"], people["manager_sh002"]
    report = _start(engine, session, people, "SH001")
    _away(session, clock, d1, m2)
    case = engine.complete(session, report.id, m2, {"summary": "done from the pool"})
    session.commit()
    row = session.get(HumanTask, report.id)
    assert (row.state, row.completed_by_id, row.on_behalf_of_id) == ("completed", m2.id, d1.id)
    assert case.open_tasks[0].element_id == "approve"


def test_who_stands_in_for_nobody_may_not_claim(engine, session, people, deployed, clock):
    report = _start(engine, session, people, "SH001")
    # an away period whose deputy is someone else does not lend the pool to anybody else
    _away(session, clock, people["deputy_sh001"], people["manager_sh002"])
    for name in ("cs_li", "supervisor_north", "director"):
        with pytest.raises(PermissionDenied):
            engine.claim(session, report.id, people[name])
        session.rollback()
        pool = queries.list_tasks(session, people[name], queries.TaskFilter(scope="claimable"), clock())
        assert pool.items == []


def test_a_sent_back_step_reopens_for_the_deputy_of_who_did_it(engine, session, people, deployed, clock):
    m2, m1 = people["manager_sh002"], people["manager_sh001"]
    report = _start(engine, session, people)
    case = engine.complete(session, report.id, m2, {"summary": "first"})
    session.commit()
    _away(session, clock, m2, m1)
    [approve] = case.open_tasks
    runtime.send_back(engine, session, approve.id, people["director"], "report", "say more")
    session.commit()
    [reopened] = queries.list_tasks(session, m1, queries.TaskFilter(scope="mine"), clock()).items
    assert (reopened.element_id, reopened.on_behalf_of) == ("report", "manager_sh002")
    event = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "sent_back")).one()
    assert (event.data["assignee"], event.data["on_behalf_of"]) == ("manager_sh001", "manager_sh002")


def test_a_deputy_s_claim_races_a_colleague_s(engine, session, people, deployed, clock, race):
    d1, m1, m2 = people["deputy_sh001"], people["manager_sh001"], people["manager_sh002"]
    report = _start(engine, session, people, "SH001")
    _away(session, clock, d1, m2)
    m1_id, m2_id = m1.id, m2.id
    raised = race(lambda s: engine.claim(s, report.id, s.get(type(m1), m1_id)),
                  lambda s: engine.claim(s, report.id, s.get(type(m2), m2_id)), wait_on="open_task")
    assert isinstance(raised, ConcurrentUpdate)
    session.expire_all()
    assert session.get(HumanTask, report.id).assignee_id == m1_id
    assert session.scalar(select(AwayPeriod.user_id)) == d1.id
