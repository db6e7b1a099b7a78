"""退回: sending a case back to an earlier step (fixture model `send_back`: a plan, two checks in
parallel, a cooling-off timer, the director's approval with a reminder timer, the payment that is a
point of no return, a confirmation)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import ConcurrentUpdate, Conflict, InvalidData, PermissionDenied, runtime
from engine.models import AuditEvent, HumanTask, ProcessInstance, User
from engine.runtime.timers import fire_due_timers

PLAN = {"plan": "two more shelves", "budget": 100}


def _instance(session, case_id):
    session.expire_all()
    return session.get(ProcessInstance, case_id)


def _start(engine, session, people):
    case = engine.start(session, "send_back", people["manager_sh001"], {"store_code": "SH001", "amount": 5})
    session.commit()
    return case.id


def _do(engine, session, tasks_of, case_id, element, user, data):
    engine.complete(session, tasks_of(session, case_id)[element].id, user, data)
    session.commit()


def _to_approval(engine, sessions, session, people, clock, tasks_of, first="check_stock"):
    """A case waiting for the director, its checks done (`first` first), its cooling-off passed."""
    case_id = _start(engine, session, people)
    _do(engine, session, tasks_of, case_id, "draft_plan", people["manager_sh001"], PLAN)
    checks = {"check_stock": (people["deputy_sh001"], {"stock_ok": True, "needs_cs": False}),
              "check_staff": (people["supervisor_east"], {"staff_ok": True})}
    for element in sorted(checks, key=lambda e: e != first):
        _do(engine, session, tasks_of, case_id, element, *checks[element])
    assert fire_due_timers(engine, sessions, clock.advance(hours=2)) == 1
    assert set(tasks_of(session, case_id)) == {"approve"}
    return case_id


def _targets(engine, session, user, task_id):
    from engine import queries
    return [t.element_id for t in queries.task_detail(engine, session, user, task_id).send_back_targets]


def test_send_back_reopens_the_step_for_whoever_did_it_with_their_entries(engine, session, people, tasks_of,
                                                                          clock):
    case_id = _start(engine, session, people)
    _do(engine, session, tasks_of, case_id, "draft_plan", people["manager_sh001"], PLAN)
    tasks = tasks_of(session, case_id)
    assert set(tasks) == {"check_stock", "check_staff"}
    old_plan = session.scalars(select(HumanTask).where(HumanTask.element_id == "draft_plan")).one()
    sup = people["supervisor_east"]
    assert _targets(engine, session, sup, tasks["check_staff"].id) == ["draft_plan"]

    clock.advance(minutes=5)
    case = runtime.send_back(engine, session, tasks["check_staff"].id, sup, "draft_plan",
                             "  budget is missing  ")
    session.commit()

    [plan] = case.open_tasks
    assert (plan.element_id, plan.assignee) == ("draft_plan", "manager_sh001")
    row = session.get(HumanTask, plan.id)
    assert (row.draft, row.notice, row.claimed_at) == (PLAN, "budget is missing", clock())
    session.refresh(old_plan)
    assert (old_plan.state, old_plan.completed_by.username) == ("completed", "manager_sh001")
    assert old_plan.spiff_task_id != row.spiff_task_id
    checks = ["check_stock", "check_staff"]
    closed = session.scalars(select(HumanTask).where(HumanTask.element_id.in_(checks)))
    assert {(t.element_id, t.state, t.completed_at) for t in closed} == {
        ("check_stock", "cancelled", clock()), ("check_staff", "cancelled", clock())}
    events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case_id,
                                                      AuditEvent.at == clock()).order_by(AuditEvent.id)).all()
    assert [(e.event_type, e.element_id) for e in events] == [
        ("sent_back", "check_staff"), ("task_cancelled", "check_stock"), ("task_cancelled", "check_staff"),
        ("task_created", "draft_plan")]
    assert (events[0].actor_id, events[0].message, events[0].data) == (
        sup.id, "budget is missing",
        {"from": "check_staff", "to": "draft_plan", "to_name": "编写方案", "assignee": "manager_sh001"})

    # the page shows the earlier entries; done again, the case goes on from there
    from engine import queries
    detail = queries.task_detail(engine, session, people["manager_sh001"], plan.id)
    assert (detail.draft, detail.notice) == (PLAN, "budget is missing")
    _do(engine, session, tasks_of, case_id, "draft_plan", people["manager_sh001"], {**PLAN, "budget": 150})
    assert set(tasks_of(session, case_id)) == {"check_stock", "check_staff"}


@pytest.mark.parametrize("first", ["check_stock", "check_staff"])
@pytest.mark.parametrize("target", ["check_stock", "check_staff"])
def test_send_back_across_a_parallel_split_reopens_one_branch_only(engine, sessions, session, people, clock,
                                                                   tasks_of, target, first):
    """After the join, either branch's step is on the path; sending back to one leaves the other
    done, and once it is done again the case passes the join once (one approval, one timer)."""
    case_id = _to_approval(engine, sessions, session, people, clock, tasks_of, first)
    director = people["director"]
    approve = tasks_of(session, case_id)["approve"]
    assert sorted(_targets(engine, session, director, approve.id)) == ["check_staff", "check_stock",
                                                                       "draft_plan"]
    assert _instance(session, case_id).next_timer_at == clock() + timedelta(hours=24)  # the reminder

    case = runtime.send_back(engine, session, approve.id, director, target, "check again")
    session.commit()
    assert [t.element_id for t in case.open_tasks] == [target]
    assert _instance(session, case_id).next_timer_at is None  # the reminder went with the approval
    session.refresh(approve)
    assert approve.state == "cancelled"
    holder = {"check_stock": people["deputy_sh001"], "check_staff": people["supervisor_east"]}[target]
    assert case.open_tasks[0].assignee == holder.username

    data = {"check_stock": {"stock_ok": False, "needs_cs": False}, "check_staff": {"staff_ok": False}}[target]
    _do(engine, session, tasks_of, case_id, target, holder, data)
    assert tasks_of(session, case_id) == {}
    assert _instance(session, case_id).next_timer_at == clock() + timedelta(hours=2)  # cooling off again
    assert fire_due_timers(engine, sessions, clock.advance(hours=2)) == 1
    assert list(tasks_of(session, case_id)) == ["approve"]
    _do(engine, session, tasks_of, case_id, "approve", director, {"approved": True})
    assert list(tasks_of(session, case_id)) == ["pay_refund"]


def test_a_parallel_sibling_branch_is_not_a_target(engine, session, people, tasks_of):
    case_id = _start(engine, session, people)
    _do(engine, session, tasks_of, case_id, "draft_plan", people["manager_sh001"], PLAN)
    _do(engine, session, tasks_of, case_id, "check_staff", people["supervisor_east"], {"staff_ok": True})
    stock = tasks_of(session, case_id)["check_stock"]
    m1 = people["manager_sh001"]
    assert _targets(engine, session, m1, stock.id) == ["draft_plan"]
    with pytest.raises(InvalidData) as refused:
        runtime.send_back(engine, session, stock.id, m1, "check_staff", "no")
    assert refused.value.fields == {"to": "not an earlier step on this task's path"}
    session.rollback()


def test_send_back_past_timers_drops_them(engine, sessions, session, people, clock, tasks_of):
    """The reminder on the approval fired (a nudge is open) and is due again never: sending the case
    back before the cooling-off timer closes the nudge too, and no stale timer fires later."""
    case_id = _to_approval(engine, sessions, session, people, clock, tasks_of)
    assert fire_due_timers(engine, sessions, clock.advance(hours=24)) == 1
    tasks = tasks_of(session, case_id)
    assert set(tasks) == {"approve", "nudge"}
    runtime.send_back(engine, session, tasks["approve"].id, people["director"], "draft_plan", "start over")
    session.commit()
    assert set(tasks_of(session, case_id)) == {"draft_plan"}
    session.refresh(tasks["nudge"])
    assert tasks["nudge"].state == "cancelled"
    instance = _instance(session, case_id)
    assert instance.next_timer_at is None
    assert fire_due_timers(engine, sessions, clock.advance(days=10)) == 0
    assert (instance.status, set(tasks_of(session, case_id))) == ("running", {"draft_plan"})


def test_send_back_while_a_timer_waits_ahead(engine, sessions, session, people, clock, tasks_of):
    """A step sent back to while an intermediate timer waits elsewhere: the pending timer is dropped
    with what came after the step, and the case's next timer is recomputed."""
    case_id = _to_approval(engine, sessions, session, people, clock, tasks_of)
    approve = tasks_of(session, case_id)["approve"]
    _do(engine, session, tasks_of, case_id, "approve", people["director"], {"approved": True})
    pay = tasks_of(session, case_id)["pay_refund"]
    assert _instance(session, case_id).next_timer_at is None
    runtime.send_back(engine, session, pay.id, people["manager_sh001"], "approve", "amount changed")
    session.commit()
    reopened = tasks_of(session, case_id)["approve"]
    assert reopened.id != approve.id and reopened.assignee.username == "director"
    assert _instance(session, case_id).next_timer_at == clock() + timedelta(hours=24)  # the reminder re-armed


def test_nothing_at_or_before_a_point_of_no_return_is_a_target(engine, sessions, session, people, clock,
                                                               tasks_of):
    case_id = _to_approval(engine, sessions, session, people, clock, tasks_of)
    _do(engine, session, tasks_of, case_id, "approve", people["director"], {"approved": True})
    pay = tasks_of(session, case_id)["pay_refund"]
    assert _targets(engine, session, people["manager_sh001"], pay.id)[0] == "approve"
    _do(engine, session, tasks_of, case_id, "pay_refund", people["manager_sh001"], {"paid": True})
    confirm = tasks_of(session, case_id)["confirm_fix"]
    sup = people["supervisor_east"]
    assert _targets(engine, session, sup, confirm.id) == []
    for target in ("pay_refund", "approve", "draft_plan"):
        with pytest.raises(InvalidData):
            runtime.send_back(engine, session, confirm.id, sup, target, "too late")
        session.rollback()


def test_who_may_not_send_back(engine, session, people, tasks_of, db_url):
    case_id = _start(engine, session, people)
    _do(engine, session, tasks_of, case_id, "draft_plan", people["manager_sh001"], PLAN)
    stock = tasks_of(session, case_id)["check_stock"]
    with pytest.raises(PermissionDenied):  # not their store
        runtime.send_back(engine, session, stock.id, people["manager_sh002"], "draft_plan", "no")
    session.rollback()
    engine.claim(session, stock.id, people["deputy_sh001"])
    session.commit()
    with pytest.raises(PermissionDenied):  # someone else holds it
        runtime.send_back(engine, session, stock.id, people["manager_sh001"], "draft_plan", "no")
    session.rollback()
    deputy = people["deputy_sh001"]
    for reason in ("", "   ", None):
        with pytest.raises(InvalidData) as refused:
            runtime.send_back(engine, session, stock.id, deputy, "draft_plan", reason)
        assert refused.value.fields == {"reason": "required"}
        session.rollback()
    with pytest.raises(InvalidData):
        runtime.send_back(engine, session, stock.id, deputy, "no_such_step", "why")
    session.rollback()
    with pytest.raises(InvalidData):  # the task itself is no earlier step
        runtime.send_back(engine, session, stock.id, deputy, "check_stock", "why")
    session.rollback()
    _do(engine, session, tasks_of, case_id, "check_stock", deputy, {"stock_ok": True, "needs_cs": False})
    with pytest.raises(Conflict):  # done already
        runtime.send_back(engine, session, stock.id, deputy, "draft_plan", "late")
    session.rollback()
    assert session.scalar(select(AuditEvent).where(AuditEvent.event_type == "sent_back")) is None


def test_send_back_racing_a_concurrent_complete(engine, session, people, tasks_of, overtake):
    """The two have read the case; the completion commits first, so the send-back fails on the case's
    version and changes nothing."""
    case_id = _start(engine, session, people)
    _do(engine, session, tasks_of, case_id, "draft_plan", people["manager_sh001"], PLAN)
    tasks = tasks_of(session, case_id)
    deputy = people["deputy_sh001"]
    overtake("load", lambda s: engine.complete(s, tasks["check_stock"].id, s.get(User, deputy.id),
                                               {"stock_ok": True, "needs_cs": False}))
    with pytest.raises(ConcurrentUpdate):
        runtime.send_back(engine, session, tasks["check_staff"].id, people["supervisor_east"], "draft_plan",
                          "redo")
    session.rollback()
    assert set(tasks_of(session, case_id)) == {"check_staff"}
    assert session.scalar(select(AuditEvent).where(AuditEvent.event_type == "sent_back")) is None
    plan = session.scalars(select(HumanTask).where(HumanTask.element_id == "draft_plan")).one()
    assert plan.state == "completed"


def test_send_back_and_complete_of_one_task_in_two_threads(engine, session, people, tasks_of, race):
    """Whichever commits first wins; the other is told (Conflict or ConcurrentUpdate)."""
    case_id = _start(engine, session, people)
    _do(engine, session, tasks_of, case_id, "draft_plan", people["manager_sh001"], PLAN)
    task_id = tasks_of(session, case_id)["check_staff"].id
    sup_id = people["supervisor_east"].id
    error = race(lambda s: engine.complete(s, task_id, s.get(User, sup_id), {"staff_ok": True}),
                 lambda s: runtime.send_back(engine, s, task_id, s.get(User, sup_id), "draft_plan", "redo"))
    assert isinstance(error, (ConcurrentUpdate, Conflict)), repr(error)
    assert set(tasks_of(session, case_id)) == {"check_stock"}


def test_send_back_to_a_multi_instance_step_reopens_every_instance(engine, session, people, tasks_of):
    """A survey answered by two stores, then reviewed (fixture `send_back_survey`): the reviewer sends
    it back to the survey, and each store gets a new survey task with the reason; one store's
    answer alone is no step to go back to."""
    director, m1, m2 = people["director"], people["manager_sh001"], people["manager_sh002"]
    case = engine.start(session, "send_back_survey", director, {"topic": "冬装陈列",
                                                                "store_codes": ["SH001", "SH002"]})
    session.commit()
    first, second = sorted(case.open_tasks, key=lambda t: t.store_code)
    assert _targets(engine, session, m1, first.id) == []  # not the other store's answer
    engine.complete(session, first.id, m1, {"answer": "ok"})
    engine.complete(session, second.id, m2, {"answer": "fine"})
    session.commit()
    review = tasks_of(session, case.id)["review"]
    from engine import queries
    [target] = queries.task_detail(engine, session, director, review.id).send_back_targets
    assert (target.element_id, target.completed_by) == ("survey", None)

    case = runtime.send_back(engine, session, review.id, director, "survey", "请补充照片")
    session.commit()
    rows = [session.get(HumanTask, t.id) for t in case.open_tasks]
    assert sorted((r.element_id, r.store_code, r.notice, r.draft) for r in rows) == [
        ("survey", "SH001", "请补充照片", None), ("survey", "SH002", "请补充照片", None)]
    assert {r.id for r in rows}.isdisjoint({first.id, second.id})
    for row, user in zip(sorted(rows, key=lambda r: r.store_code), (m1, m2)):
        engine.complete(session, row.id, user, {"answer": "with photos"})
    session.commit()
    assert list(tasks_of(session, case.id)) == ["review"]
