"""Who is told what (issue 12, the in-app inbox): notifications written from a command's events, in
its transaction, never to the person who acted."""
import pytest
from sqlalchemy import select

from engine import NotFound, queries, runtime
from engine.models import Notification, User


def _told(session, case_id=None):
    session.expire_all()
    where = [Notification.instance_id == case_id] if case_id else []
    return [(session.get(User, n.recipient_id).username, n.kind) for n in session.scalars(
        select(Notification).where(*where).order_by(Notification.id))]


def _start(engine, session, people, starter="manager_sh001", store="SH001"):
    case = engine.start(session, "lanes_gateway", people[starter], {"store_code": store, "amount": 120})
    session.commit()
    return case


def test_a_step_assigned_by_rule_tells_its_person_and_the_outcome_tells_the_starter(engine, session, people,
                                                                                  deployed):
    case = _start(engine, session, people)
    assert _told(session) == []  # SH001's report waits in the pool of its two managers
    case = engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "s"})
    session.commit()
    [approve] = case.open_tasks
    assert _told(session) == [("director", "assigned")]
    [entry] = queries.inbox(session, people["director"]).items
    assert (entry.kind, entry.instance_id, entry.task_id, entry.title, entry.step, entry.unread) == (
        "assigned", case.id, approve.id, case.title, "总监审批", True)
    engine.complete(session, approve.id, people["director"], {"approved": False})
    session.commit()
    [outcome] = queries.inbox(session, people["manager_sh001"]).items
    assert (outcome.kind, outcome.message, outcome.task_id) == ("outcome", "rejected", None)
    assert _told(session) == [("director", "assigned"), ("manager_sh001", "outcome")]


def test_the_actor_is_not_told_of_their_own_move(engine, session, people, deployed):
    case = _start(engine, session, people, "manager_sh002", "SH002")  # SH002 has one manager
    assert _told(session) == []  # the starter's own first step: assigned to them, as they started it
    engine.complete(session, case.open_tasks[0].id, people["manager_sh002"], {"summary": "s"})
    session.commit()
    assert _told(session) == [("director", "assigned")]


def test_transfer_urge_cc_and_approvers_tell_their_people(engine, session, people, deployed, clock):
    case = _start(engine, session, people)
    task = case.open_tasks[0].id
    m1, deputy = people["manager_sh001"], people["deputy_sh001"]
    engine.claim(session, task, m1)
    runtime.transfer(engine, session, task, m1, "deputy_sh001", "off tomorrow")
    session.commit()
    assert _told(session) == [("deputy_sh001", "transferred")]
    [entry] = queries.inbox(session, deputy).items
    assert (entry.actor, entry.message, entry.task_id) == ("manager_sh001", "off tomorrow", task)
    runtime.urge(engine, session, task, people["supervisor_east"], "hurry")
    runtime.cc_case(engine, session, case.id, m1, ["cs_li", "supervisor_north"], "FYI")
    runtime.add_approvers(engine, session, task, deputy, ["supervisor_east"], "before", "please check")
    session.commit()
    assert _told(session)[1:] == [("deputy_sh001", "urged"), ("cs_li", "cc"), ("supervisor_north", "cc"),
                                  ("supervisor_east", "approver")]
    [approver] = queries.inbox(session, people["supervisor_east"]).items
    assert approver.task_id is not None and approver.task_id != task  # their own approval


def test_send_back_tells_whoever_did_the_step(engine, session, people, tasks_of):
    case = engine.start(session, "send_back", people["manager_sh001"], {"store_code": "SH001", "amount": 5})
    session.commit()
    engine.complete(session, tasks_of(session, case.id)["draft_plan"].id, people["manager_sh001"],
                    {"plan": "p", "budget": 1})
    session.commit()
    before = len(_told(session))
    view = runtime.send_back(engine, session, tasks_of(session, case.id)["check_staff"].id,
                             people["supervisor_east"], "draft_plan", "budget missing")
    session.commit()
    assert _told(session)[before:] == [("manager_sh001", "sent_back")]
    [entry] = [e for e in queries.inbox(session, people["manager_sh001"]).items if e.kind == "sent_back"]
    assert (entry.task_id, entry.step, entry.message) == (view.open_tasks[0].id, "编写方案", "budget missing")


@pytest.mark.parametrize("how", ["withdraw", "terminate"])
def test_an_ended_case_tells_its_holders_and_its_starter_but_not_who_ended_it(engine, session, people,
                                                                              deployed, how):
    case = _start(engine, session, people)
    engine.claim(session, case.open_tasks[0].id, people["deputy_sh001"])
    session.commit()
    if how == "withdraw":
        runtime.withdraw(engine, session, case.id, people["manager_sh001"], "wrong store")
        assert _told(session) == [("deputy_sh001", "withdrawn")]
    else:
        engine.terminate(session, case.id, people["supervisor_east"], "duplicate")
        assert sorted(_told(session)) == [("deputy_sh001", "terminated"), ("manager_sh001", "terminated")]
    [entry] = queries.inbox(session, people["deputy_sh001"]).items
    assert (entry.task_id, entry.instance_id) == (None, case.id)


def test_a_rolled_back_command_tells_nobody(engine, session, people, deployed):
    case = _start(engine, session, people)
    engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "s"})
    session.rollback()
    assert _told(session) == []


def test_mark_read_only_my_own_and_mark_all(engine, session, people, deployed, clock):
    case = _start(engine, session, people)
    runtime.cc_case(engine, session, case.id, people["manager_sh001"], ["cs_li", "director"], "FYI")
    runtime.urge(engine, session, case.open_tasks[0].id, people["supervisor_east"], "")
    session.commit()
    cs, director = people["cs_li"], people["director"]
    [mine] = queries.inbox(session, cs).items
    with pytest.raises(NotFound):
        runtime.mark_read(session, director, mine.id, clock())
    assert queries.unread_count(session, cs) == 1
    runtime.mark_read(session, cs, mine.id, clock())
    session.commit()
    assert queries.unread_count(session, cs) == 0
    assert queries.inbox(session, cs, unread_only=True).items == []
    assert not queries.inbox(session, cs).items[0].unread
    assert queries.unread_count(session, director) == 1
    assert runtime.mark_all_read(session, director, clock()) == 1
    session.commit()
    assert queries.unread_count(session, director) == 0
    managers = [queries.unread_count(session, people[m]) for m in ("manager_sh001", "deputy_sh001")]
    assert managers == [1, 1]  # the urge told both managers of the pool step


def test_inbox_pages_newest_first(engine, session, people, deployed, clock):
    for _ in range(3):
        case = _start(engine, session, people)
        runtime.cc_case(engine, session, case.id, people["manager_sh001"], ["cs_li"], "")
        session.commit()
    page = queries.inbox(session, people["cs_li"], page=2, per_page=2)
    assert (page.total, len(page.items)) == (3, 1)
    first = queries.inbox(session, people["cs_li"], per_page=2).items
    assert first[0].id > first[1].id > page.items[0].id


def test_a_case_ending_without_an_outcome_tells_its_starter_it_is_finished(engine, session, people, deployed):
    case = engine.start(session, "path_choice", people["director"], {"store_code": "SH001", "amount": 1})
    session.commit()
    engine.complete(session, case.open_tasks[0].id, people["manager_sh001"], {"summary": "done"})
    session.commit()
    assert _told(session, case.id) == [("director", "finished")]
