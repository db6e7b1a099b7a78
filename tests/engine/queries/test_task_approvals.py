"""What a task offers around 加签 (add_approvers, remove_approver, decide), the approvals its page
lists, and the dashboard counting an approval with its step, not as a step of its own."""
from datetime import timezone

from sqlalchemy import select

from engine import queries, runtime
from engine.models import HumanTask


def _actions(engine, session, user, task_id):
    session.expire_all()
    return queries.task_actions(session, user, session.get(HumanTask, task_id), engine.supervision)


def test_actions_follow_the_approvals(engine, session, people, deployed):
    m1, sup = people["manager_sh001"], people["supervisor_east"]
    case = engine.start(session, "lanes_gateway", m1, {"store_code": "SH001", "amount": 1})
    task_id = case.open_tasks[0].id
    engine.claim(session, task_id, m1)
    session.commit()
    assert _actions(engine, session, m1, task_id) == ("complete", "save_draft", "transfer", "release",
                                                      "add_approvers", "cc", "comment")
    # a supervisor of the case
    assert _actions(engine, session, sup, task_id) == ("transfer", "release", "urge", "cc", "comment")
    runtime.add_approvers(engine, session, task_id, m1, ["supervisor_east"], "before", "r")
    runtime.add_approvers(engine, session, task_id, m1, ["cs_li"], "after", "r")
    session.commit()
    assert _actions(engine, session, m1, task_id) == ("add_approvers", "remove_approver", "cc", "comment")
    [approval] = session.scalars(select(HumanTask).where(HumanTask.parent_id == task_id)).all()
    assert _actions(engine, session, sup, approval.id) == ("decide", "cc", "comment")
    assert _actions(engine, session, m1, approval.id) == ("urge", "cc", "comment")
    detail = queries.task_detail(engine, session, sup, approval.id)
    assert detail.holder.id == task_id and not detail.may_act
    assert [(a.username, a.position, a.state) for a in detail.approvals] == [
        ("supervisor_east", "before", "open"), ("cs_li", "after", "pending")]

    board = queries.dashboard_view(session, people["director"], queries.DashboardFilter(), engine.clock(),
                                   timezone.utc, rules=engine.supervision)
    assert [(c.key, c.open) for c in board.open_by_role] == [("store_manager", 1)]

    runtime.decide(engine, session, approval.id, sup, True, "")
    engine.complete(session, task_id, m1, {"summary": "s"})
    session.commit()
    # submitted: waits on cs_li, whom the holder may still take off
    assert _actions(engine, session, m1, task_id) == ("remove_approver", "cc", "comment")
