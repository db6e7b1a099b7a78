"""加签 / 减签: approvals before and after a task's holder, 同意/不同意, removal, who may not, races."""

import pytest
from sqlalchemy import select

from engine import ConcurrentUpdate, Conflict, InvalidData, PermissionDenied, queries, runtime
from engine.models import AuditEvent, HumanTask, User


@pytest.fixture
def report(engine, session, people, deployed):
    """A lanes_gateway case at its first step (门店填报), claimed by manager_sh001."""
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 120})
    task_id = case.open_tasks[0].id
    engine.claim(session, task_id, people["manager_sh001"])
    session.commit()
    return case.id, task_id


def _rows(session, case_id):
    session.expire_all()
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == case_id)
                           .order_by(HumanTask.id)).all()


def _approval(session, case_id, username):
    return next(r for r in _rows(session, case_id) if r.kind == "approval" and r.assignee
                and r.assignee.username == username and r.state == "open")


def _events(session, case_id, *types):
    rows = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case_id,
                                                    AuditEvent.event_type.in_(types)).order_by(AuditEvent.id))
    return [(e.event_type, e.actor.username if e.actor else None, e.message, e.data) for e in rows]


def test_approvers_before_decide_first_then_the_task_returns_to_its_holder(engine, session, people, report):
    case_id, task_id = report
    m1 = people["manager_sh001"]
    view = runtime.add_approvers(engine, session, task_id, m1, ["supervisor_east", "cs_li"], "before",
                                 "请主管和客服先看看")
    session.commit()
    assert view.id == task_id
    holder = session.get(HumanTask, task_id)
    assert (holder.waiting_on, holder.kind) == ("before", "step")
    approvals = [r for r in _rows(session, case_id) if r.kind == "approval"]
    assert [(r.assignee.username, r.position, r.state, r.parent_id, r.lane_role) for r in approvals] == [
        ("supervisor_east", "before", "open", task_id, None), ("cs_li", "before", "open", task_id, None)]
    # they find it in their own list (they hold no role of the step) and may see the case
    mine = queries.list_tasks(session, people["cs_li"], queries.TaskFilter(scope="mine"), engine.clock())
    assert [t.id for t in mine.items] == [approvals[1].id]
    with pytest.raises(Conflict, match="not all agreed"):
        engine.complete(session, task_id, m1, {"summary": "too early"})
    session.rollback()

    runtime.decide(engine, session, approvals[0].id, people["supervisor_east"], True, "可以")
    session.commit()
    assert session.get(HumanTask, task_id).waiting_on == "before"
    engine.complete(session, approvals[1].id, people["cs_li"], {"decision": "approve", "comment": ""})
    session.commit()
    holder = session.get(HumanTask, task_id)
    assert (holder.state, holder.waiting_on) == ("open", None)
    case = engine.complete(session, task_id, m1, {"summary": "ok"})
    session.commit()
    assert [t.element_id for t in case.open_tasks] == ["approve"]
    assert _events(session, case_id, "approvers_added", "approval_decided") == [
        ("approvers_added", "manager_sh001", "请主管和客服先看看",
         {"usernames": ["supervisor_east", "cs_li"], "position": "before"}),
        ("approval_decided", "supervisor_east", "可以",
         {"decision": "approve", "position": "before", "holder": "manager_sh001", "holder_task": task_id}),
        ("approval_decided", "cs_li", "",
         {"decision": "approve", "position": "before", "holder": "manager_sh001", "holder_task": task_id})]


def test_approvers_after_hold_the_completion_until_all_agree(engine, session, people, report):
    case_id, task_id = report
    m1, sup, cs = people["manager_sh001"], people["supervisor_east"], people["cs_li"]
    runtime.add_approvers(engine, session, task_id, m1, ["supervisor_east", "cs_li"], "after", "金额较大")
    session.commit()
    assert [r.kind for r in _rows(session, case_id)] == ["step"]  # asked only when the holder completes
    assert session.get(HumanTask, task_id).after_approvers == ["supervisor_east", "cs_li"]

    case = engine.complete(session, task_id, m1, {"summary": "门店漏水"})
    session.commit()
    assert sorted((t.element_id, t.assignee) for t in case.open_tasks) == [
        ("report", "cs_li"), ("report", "manager_sh001"), ("report", "supervisor_east")]
    holder = session.get(HumanTask, task_id)
    assert (holder.state, holder.waiting_on, holder.draft) == ("open", "approval", {"summary": "门店漏水"})
    with pytest.raises(Conflict, match="submitted"):
        engine.complete(session, task_id, m1, {"summary": "again"})
    session.rollback()
    with pytest.raises(Conflict):  # nor can the held data be changed by a draft
        engine.save_draft(session, task_id, m1, {"summary": "changed"})
    session.rollback()

    runtime.decide(engine, session, _approval(session, case_id, "supervisor_east").id, sup, True, "同意")
    session.commit()
    assert session.get(HumanTask, task_id).state == "open"
    case = runtime.decide(engine, session, _approval(session, case_id, "cs_li").id, cs, True, "")
    session.commit()
    assert [t.element_id for t in case.open_tasks] == ["approve"]
    holder = session.get(HumanTask, task_id)
    assert (holder.state, holder.completed_by_id, holder.draft, holder.waiting_on) == (
        "completed", m1.id, None, None)
    assert queries.case_data(engine, session, holder.instance)["summary"] == "门店漏水"
    completed = _events(session, case_id, "task_submitted", "task_completed")
    assert [(t, actor) for t, actor, _, _ in completed] == [("task_submitted", "manager_sh001"),
                                                            ("task_completed", "manager_sh001")]
    assert completed[1][3] == {"summary": "门店漏水"}


def test_a_rejection_before_returns_the_task_and_closes_the_rest_of_the_round(engine, session, people,
                                                                              report):
    case_id, task_id = report
    m1 = people["manager_sh001"]
    runtime.add_approvers(engine, session, task_id, m1, ["supervisor_east", "cs_li"], "before", "请审")
    session.commit()
    first = _approval(session, case_id, "supervisor_east")
    with pytest.raises(InvalidData) as refused:  # a 不同意 says why
        runtime.decide(engine, session, first.id, people["supervisor_east"], False, "  ")
    assert set(refused.value.fields) == {"comment"}
    session.rollback()
    runtime.decide(engine, session, first.id, people["supervisor_east"], False, "照片不清楚")
    session.commit()
    rows = _rows(session, case_id)
    assert [(r.kind, r.state, r.decision, r.comment) for r in rows] == [
        ("step", "open", None, None), ("approval", "completed", "reject", "照片不清楚"),
        ("approval", "cancelled", None, None)]
    assert rows[0].waiting_on is None
    with pytest.raises(Conflict):  # the closed one cannot be decided any more
        runtime.decide(engine, session, rows[2].id, people["cs_li"], True, "")
    session.rollback()
    case = engine.complete(session, task_id, m1, {"summary": "补了照片"})
    session.commit()
    assert [t.element_id for t in case.open_tasks] == ["approve"]


def test_a_rejection_after_returns_the_task_with_its_data_kept(engine, session, people, report, supervision):
    case_id, task_id = report
    m1 = people["manager_sh001"]
    runtime.add_approvers(engine, session, task_id, m1, ["supervisor_east", "cs_li"], "after", "请复核")
    engine.complete(session, task_id, m1, {"summary": "初稿"})
    session.commit()
    runtime.decide(engine, session, _approval(session, case_id, "cs_li").id, people["cs_li"], False,
                   "金额不对")
    session.commit()
    rows = _rows(session, case_id)
    assert [(r.kind, r.state, r.decision) for r in rows] == [
        ("step", "open", None), ("approval", "cancelled", None), ("approval", "completed", "reject")]
    assert (rows[0].waiting_on, rows[0].draft, rows[0].after_approvers) == (None, {"summary": "初稿"}, None)
    detail = queries.task_detail(engine, session, m1, task_id)
    assert detail.draft == {"summary": "初稿"} and "complete" in detail.actions
    case = engine.complete(session, task_id, m1, {"summary": "改好了"})  # the round is over
    session.commit()
    assert [t.element_id for t in case.open_tasks] == ["approve"]


def test_the_holder_removes_an_open_approver(engine, session, people, report):
    case_id, task_id = report
    m1 = people["manager_sh001"]
    runtime.add_approvers(engine, session, task_id, m1, ["supervisor_east"], "before", "先问主管")
    runtime.add_approvers(engine, session, task_id, m1, ["cs_li", "director"], "after", "再问客服")
    session.commit()
    runtime.remove_approver(engine, session, task_id, m1, "supervisor_east", "不用了")
    runtime.remove_approver(engine, session, task_id, m1, "director")
    session.commit()
    holder = session.get(HumanTask, task_id)
    assert (holder.waiting_on, holder.after_approvers) == (None, ["cs_li"])
    assert [(r.kind, r.state) for r in _rows(session, case_id)] == [("step", "open"),
                                                                     ("approval", "cancelled")]
    with pytest.raises(InvalidData):  # nothing open for them any more
        runtime.remove_approver(engine, session, task_id, m1, "supervisor_east")
    session.rollback()
    engine.complete(session, task_id, m1, {"summary": "s"})
    session.commit()
    # removing the last undecided approver after a submitted task lets it complete
    view = runtime.remove_approver(engine, session, task_id, m1, "cs_li", "客服休假")
    session.commit()
    assert (view.state, view.completed_by) == ("completed", "manager_sh001")
    assert [t.element_id for t in queries.case_detail(engine, session, m1, case_id).instance.open_tasks] == [
        "approve"]
    assert session.get(HumanTask, task_id).completed_by_id == m1.id
    assert [(t, a, m, d) for t, a, m, d in _events(session, case_id, "approver_removed")] == [
        ("approver_removed", "manager_sh001", "不用了",
         {"username": "supervisor_east", "position": "before"}),
        ("approver_removed", "manager_sh001", "", {"username": "director", "position": "after"}),
        ("approver_removed", "manager_sh001", "客服休假", {"username": "cs_li", "position": "after"})]


def test_who_may_not(engine, session, people, report):
    case_id, task_id = report
    m1, deputy = people["manager_sh001"], people["deputy_sh001"]
    for outsider in (deputy, people["director"], people["cs_li"]):  # not the holder
        with pytest.raises(PermissionDenied):
            runtime.add_approvers(engine, session, task_id, outsider, ["supervisor_east"], "before", "r")
    for names, position, reason, field in ((["supervisor_east"], "during", "r", "position"),
                                           (["supervisor_east"], "before", " ", "reason"),
                                           ([], "before", "r", "usernames"),
                                           (["nobody"], "before", "r", "usernames"),
                                           (["manager_sh001"], "before", "r", "usernames"),
                                           ([f"u{i}" for i in range(11)], "before", "r", "usernames")):
        with pytest.raises(InvalidData) as refused:
            runtime.add_approvers(engine, session, task_id, m1, names, position, reason)
        assert set(refused.value.fields) == {field}, names
    session.rollback()
    runtime.add_approvers(engine, session, task_id, m1, ["supervisor_east"], "before", "r")
    session.commit()
    with pytest.raises(InvalidData):  # asked once
        runtime.add_approvers(engine, session, task_id, m1, ["supervisor_east"], "after", "r")
    approval = _approval(session, case_id, "supervisor_east")
    for other in (m1, deputy, people["director"]):  # only the one asked decides
        with pytest.raises(PermissionDenied):
            runtime.decide(engine, session, approval.id, other, True, "")
        with pytest.raises(PermissionDenied):
            engine.complete(session, approval.id, other, {"decision": "approve"})
    with pytest.raises(InvalidData):
        engine.complete(session, approval.id, people["supervisor_east"], {"decision": "maybe"})
    with pytest.raises(Conflict):  # no approvers of an approval
        runtime.add_approvers(engine, session, approval.id, people["supervisor_east"], ["cs_li"], "before",
                              "r")
    with pytest.raises(Conflict):  # decide is for approvals
        runtime.decide(engine, session, task_id, m1, True, "")
    with pytest.raises(PermissionDenied):  # only the holder removes
        runtime.remove_approver(engine, session, task_id, deputy, "supervisor_east")
    with pytest.raises(Conflict):  # nor may the holder put it back in the pool while it waits
        engine.unclaim(session, task_id, m1)
    with pytest.raises(PermissionDenied):  # an approver may not claim or complete the step itself
        engine.complete(session, task_id, people["supervisor_east"], {"summary": "x"})
    session.rollback()


def test_ending_the_case_closes_open_approvals(engine, session, people, report):
    case_id, task_id = report
    runtime.add_approvers(engine, session, task_id, people["manager_sh001"], ["cs_li"], "before", "r")
    session.commit()
    engine.terminate(session, case_id, people["supervisor_east"], "门店关闭")
    session.commit()
    assert {r.state for r in _rows(session, case_id)} == {"cancelled"}
    mine = queries.list_tasks(session, people["cs_li"], queries.TaskFilter(scope="mine"), engine.clock())
    assert mine.items == []


def test_a_pool_task_is_taken_by_asking_for_approvers(engine, session, people, deployed):
    case = engine.start(session, "lanes_gateway", people["manager_sh001"],
                        {"store_code": "SH001", "amount": 1})
    task_id = case.open_tasks[0].id
    view = runtime.add_approvers(engine, session, task_id, people["deputy_sh001"], ["cs_li"], "after", "r")
    session.commit()
    assert view.assignee == "deputy_sh001"


def test_adding_approvers_races_a_concurrent_complete(engine, session, people, report, race):
    case_id, task_id = report
    m1 = people["manager_sh001"]
    error = race(lambda s: runtime.add_approvers(engine, s, task_id, s.get(User, m1.id), ["cs_li"], "before",
                                                 "r"),
                 lambda s: engine.complete(s, task_id, s.get(User, m1.id), {"summary": "x"}))
    assert isinstance(error, (ConcurrentUpdate, Conflict)), repr(error)
    holder = session.get(HumanTask, task_id)
    assert (holder.state, holder.waiting_on) == ("open", "before")


def test_two_approvers_deciding_at_once_lose_nothing(engine, session, people, report, race):
    case_id, task_id = report
    m1 = people["manager_sh001"]
    runtime.add_approvers(engine, session, task_id, m1, ["supervisor_east", "cs_li"], "after", "r")
    engine.complete(session, task_id, m1, {"summary": "x"})
    session.commit()
    a, b = _approval(session, case_id, "supervisor_east").id, _approval(session, case_id, "cs_li").id
    sup, cs = people["supervisor_east"].id, people["cs_li"].id
    error = race(lambda s: runtime.decide(engine, s, a, s.get(User, sup), True, ""),
                 lambda s: runtime.decide(engine, s, b, s.get(User, cs), True, ""))
    if error is not None:  # the second read before the first wrote: told, it decides again
        assert isinstance(error, (ConcurrentUpdate, Conflict)), repr(error)
        assert session.get(HumanTask, task_id).state == "open"
        runtime.decide(engine, session, b, session.get(User, cs), True, "")
        session.commit()
    session.expire_all()
    assert session.get(HumanTask, task_id).state == "completed"
    assert [t for t, *_ in _events(session, case_id, "approval_decided", "task_completed")] == [
        "approval_decided", "approval_decided", "task_completed"]


def test_approvals_on_one_branch_outlive_the_other_branch_moving(engine, session, people, deployed):
    m1, sup, cs = people["manager_sh001"], people["supervisor_east"], people["cs_li"]
    case = engine.start(session, "parallel_inclusive", m1, {"store_code": "SH001", "amount": 500})
    tasks = {t.element_id: t.id for t in case.open_tasks}
    runtime.add_approvers(engine, session, tasks["check_stock"], m1, ["cs_li"], "after", "库存要客服确认")
    engine.complete(session, tasks["check_stock"], m1, {"stock_ok": True, "needs_cs": False})
    session.commit()
    case = engine.complete(session, tasks["check_staff"], sup, {"staff_ok": True})  # the other branch
    session.commit()
    assert sorted(t.element_id for t in case.open_tasks) == ["check_stock", "check_stock"]  # step + approval
    approval = _approval(session, case.id, "cs_li")
    case = runtime.decide(engine, session, approval.id, cs, True, "")
    session.commit()
    assert [t.element_id for t in case.open_tasks] == ["director_review"]  # the join saw both branches
    assert queries.case_data(engine, session, session.get(HumanTask, tasks["check_stock"]).instance)[
        "stock_ok"] is True


def _told(session, kind):
    from engine.models import Notification
    session.expire_all()
    return sorted(session.execute(select(User.username, Notification.task_id)
                                  .join(User, User.id == Notification.recipient_id)
                                  .where(Notification.kind == kind)).all())


def test_an_approver_away_has_the_approval_go_to_their_deputy(engine, session, people, report, clock):
    """代理 for 加签: manager_sh002 is away, deputy_sh001 stands in; the approval asked of manager_sh002
    is the deputy's, marked on their behalf, the deputy is told, and nobody asks manager_sh002 twice."""
    from datetime import timedelta

    from engine.directory import set_away
    case_id, task_id = report
    m1, li, wang = people["manager_sh001"], people["manager_sh002"], people["deputy_sh001"]
    set_away(session, li, li.id, deputy="deputy_sh001", starts_at=clock(),
             ends_at=clock() + timedelta(days=3), now=clock())
    session.commit()
    runtime.add_approvers(engine, session, task_id, m1, ["manager_sh002", "supervisor_east"], "before",
                          "请先看看")
    session.commit()
    approvals = [r for r in _rows(session, case_id) if r.kind == "approval"]
    assert [(r.assignee.username, r.on_behalf_of_id) for r in approvals] == [
        ("deputy_sh001", li.id), ("supervisor_east", None)]
    assert _told(session, "approver") == [("deputy_sh001", approvals[0].id),
                                          ("supervisor_east", approvals[1].id)]
    with pytest.raises(InvalidData, match="already asked: manager_sh002"):
        runtime.add_approvers(engine, session, task_id, m1, ["manager_sh002"], "before", "再问一次")
    session.rollback()
    with pytest.raises(PermissionDenied):
        runtime.decide(engine, session, approvals[0].id, li, True, "我在休假")
    session.rollback()
    runtime.decide(engine, session, approvals[0].id, wang, True, "代为同意")
    session.commit()
    runtime.remove_approver(engine, session, task_id, m1, "supervisor_east", "不用了")
    session.commit()
    assert session.get(HumanTask, task_id).waiting_on is None


def test_approvers_after_are_told_when_the_holder_submits(engine, session, people, report):
    case_id, task_id = report
    m1 = people["manager_sh001"]
    runtime.add_approvers(engine, session, task_id, m1, ["supervisor_east"], "after", "金额较大")
    session.commit()
    assert _told(session, "approver") == []  # named, not yet asked
    engine.complete(session, task_id, m1, {"summary": "报表"})
    session.commit()
    row = next(r for r in _rows(session, case_id) if r.kind == "approval")
    assert _told(session, "approver") == [("supervisor_east", row.id)]


def test_a_deputy_approval_is_taken_back_by_the_person_s_name(engine, session, people, report, clock):
    from datetime import timedelta

    from engine.directory import set_away
    case_id, task_id = report
    m1, li = people["manager_sh001"], people["manager_sh002"]
    set_away(session, li, li.id, deputy="deputy_sh001", starts_at=clock(),
             ends_at=clock() + timedelta(days=3), now=clock())
    runtime.add_approvers(engine, session, task_id, m1, ["manager_sh002"], "before", "请先看看")
    session.commit()
    runtime.remove_approver(engine, session, task_id, m1, "manager_sh002", "不用了")
    session.commit()
    assert [r.state for r in _rows(session, case_id) if r.kind == "approval"] == ["cancelled"]
    assert session.get(HumanTask, task_id).waiting_on is None
