"""退回 in a shipped process: in 退货申请 the warehouse may send the return back to the merchandiser's
approval, and once finance has paid the refund (`credit_note`, a point of no return) nothing can be
sent back any more, not even from the quality registration still open beside it."""
import pytest

from engine import runtime
from engine.errors import InvalidData

P = "product_return"


def step(world, case, element, user, data=None, **overrides):
    return world.complete(user, world.task(case.id, element), data, check=False, **overrides)


def send_back(world, username, task_id, to, reason):
    def command(session, task, user, *rest):
        return runtime.send_back(world.engine, session, task, user, *rest)
    return world.run(username, command, task_id, to, reason)


def targets(world, username, task_id):
    return [t.element_id for t in world.detail(username, task_id).send_back_targets]


def test_sent_back_before_the_refund_and_never_after(world):
    case = world.start("franchisee_nj01", P, return_type="quality", reason="面料起球严重")
    step(world, case, "cs_review", "cs_li")
    step(world, case, "merchandiser_approval", "merch_zhao")
    receipt = world.task(case.id, "receive_inspect")
    assert targets(world, "warehouse_qian", receipt.id) == ["merchandiser_approval", "cs_review"]
    reopened = send_back(world, "warehouse_qian", receipt.id, "merchandiser_approval", "数量不符，请重新审批")
    assert [(t.element_id, t.assignee) for t in reopened.open_tasks] == [
        ("merchandiser_approval", "merch_zhao")]
    step(world, case, "merchandiser_approval", "merch_zhao")
    step(world, case, "receive_inspect", "warehouse_qian", defect_confirmed=True)
    credit = world.task(case.id, "credit_note")
    assert "receive_inspect" in targets(world, "finance_wu", credit.id)
    step(world, case, "credit_note", "finance_wu")
    registration = world.task(case.id, "quality_registration")
    assert targets(world, "merch_zhao", registration.id) == []
    with pytest.raises(InvalidData):
        send_back(world, "merch_zhao", registration.id, "receive_inspect", "退款后不能退回")
