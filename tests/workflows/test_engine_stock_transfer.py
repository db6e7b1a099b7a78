"""货品调拨 through the engine API as the demo users: who may propose a transfer, every rule of
`transfer_approval` and each approver's rejection, the shared 发货 sub-process (`ship_goods`, a call
activity: its steps are the case's, done by the sending store's manager or the warehouse), its
72-hour follow-up that chases or cancels, the receipt line by line with its 5-day chase, differences
resolved by the merchandiser, and finance settling a transfer with a franchise store."""
from datetime import timedelta

import pytest

from engine import runtime
from engine.errors import InvalidData, PermissionDenied
from tests.workflows.samples import START

P = "stock_transfer"
BIG = [{"sku": "W26-CT-3005", "name": "双面羊绒大衣", "colour_size": "黑色/L", "quantity": 40,
        "unit_price": 1599.0}]  # 63 960 元


def step(world, case, element, user, data=None, **overrides):
    return world.complete(user, world.task(case.id, element), data, **overrides)


@pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_transfer_between_direct_stores_is_shipped_by_the_sender_and_received(world):
    case = world.start("manager_sh001", P)
    assert (case.business_key, case.store_code) == ("TF-20261102-00001", "SH001")
    approval = world.task(case.id, "merchandiser_approval")
    data = world.case_data(approval.id)
    assert (data["total_amount"], data["store_kind"], data["from_store_kind"]) == (
        8 * 399 + 5 * 1599, "direct", "direct")
    assert (data["needs_cs"], data["needs_director"], data["needs_settlement"]) == (False, False, False)
    world.complete("merch_zhao", approval)

    ship = world.task(case.id, "ship_from_store")  # a step of the called 发货, in this case
    assert (ship.process_key, ship.store_code, ship.role) == (P, "SH002", "store_manager")
    assert world.who_sees(ship.id) == {"manager_sh002"}
    data = world.case_data(ship.id)
    assert [(r["sku"], r["shipped_quantity"]) for r in data["shipped_items"]] == [
        ("W26-KN-2031", 8), ("W26-CT-3005", 5)]
    too_many = [{**r, "shipped_quantity": r["quantity"] + 1} for r in data["shipped_items"]]
    world.refused(InvalidData, "manager_sh002", ship.id, world.sample(ship, shipped_items=too_many))
    world.complete("manager_sh002", ship)

    receipt = world.task(case.id, "confirm_receipt")
    assert (receipt.store_code, world.who_sees(receipt.id)) == ("SH001", {"manager_sh001"})
    data = world.case_data(receipt.id)
    assert (data["store_code"], data["logistics_no"]) == ("SH001", "SF1029384756")
    assert data["receive_deadline"] == "2026-11-07T09:00:00+08:00"
    done = world.complete("manager_sh001", receipt)
    assert (done.status, done.outcome, done.open_tasks) == ("completed", "transferred", [])
    world.assert_told(case, "manager_sh001", "transferred")
    steps = [e.element_id for e in world.events(case.id) if e.event_type == "step"]
    assert steps.index("prepare_shipment") < steps.index("finish_shipment") < steps.index("ship")


def test_warehouse_to_a_franchise_store_needs_every_approval_and_finance_settles_the_difference(world):
    case = world.start("merch_zhao", P, store_code="NJ01", ship_from="warehouse", from_store="", items=BIG)
    step(world, case, "merchandiser_approval", "merch_zhao")
    data = world.case_data(world.task(case.id, "cs_approval").id)
    assert (data["store_kind"], data["from_store_kind"], data["total_amount"]) == (
        "franchise", "warehouse", 40 * 1599)
    step(world, case, "cs_approval", "cs_wang")
    step(world, case, "director_approval", "director")
    ship = world.task(case.id, "ship_from_warehouse")
    assert world.who_sees(ship.id) == {"warehouse_qian"}
    world.complete("warehouse_qian", ship)

    receipt = world.task(case.id, "confirm_receipt")
    assert world.who_sees(receipt.id) == {"franchisee_nj01"}

    def short_one(data):
        lines = [dict(r) for r in data["received_items"]]
        lines[0].update(received_quantity=39, line_note="少1件")
        return {"received_items": lines, "received_date": "2026-11-05"}
    world.complete("franchisee_nj01", receipt, short_one)
    resolve = world.task(case.id, "resolve_difference")
    data = world.case_data(resolve.id)
    assert [(r["sku"], r["short_quantity"]) for r in data["difference_items"]] == [("W26-CT-3005", 1)]
    world.complete("merch_zhao", resolve)

    settle = world.task(case.id, "settlement")
    data = world.case_data(settle.id)
    assert data["received_amount"] == 39 * 1599 == data["settlement_amount"]
    world.refused(InvalidData, "finance_wu", settle.id, world.sample(settle, settlement_amount=40 * 1599))
    done = world.complete("finance_wu", settle)
    assert (done.status, done.outcome) == ("completed", "transferred")


def test_a_franchise_store_sends_and_its_franchisee_ships(world):
    case = world.start("merch_zhao", P, store_code="HZ001", from_store="NJ01")
    step(world, case, "merchandiser_approval", "merch_zhao")
    step(world, case, "cs_approval", "cs_li")  # no director: 11 187 元
    ship = world.task(case.id, "ship_from_store")
    assert (ship.store_code, world.who_sees(ship.id)) == ("NJ01", {"franchisee_nj01"})
    world.complete("franchisee_nj01", ship)
    step(world, case, "confirm_receipt", "manager_hz001")
    done = step(world, case, "settlement", "finance_wu")
    assert done.outcome == "transferred"


@pytest.mark.parametrize("element, user, comment", [
    ("merchandiser_approval", "merch_zhao", "merchandiser_comment"),
    ("cs_approval", "cs_li", "cs_comment"),
    ("director_approval", "director", "director_comment")])
def test_each_approver_may_reject_with_a_reason(world, element, user, comment):
    case = world.start("merch_zhao", P, store_code="NJ01", ship_from="warehouse", from_store="", items=BIG)
    for earlier, who in (("merchandiser_approval", "merch_zhao"), ("cs_approval", "cs_li")):
        if earlier == element:
            break
        step(world, case, earlier, who)
    task = world.task(case.id, element)
    refused = world.refused(InvalidData, user, task.id, {"approved": False})
    assert comment in refused.fields
    done = world.complete(user, task, {"approved": False, comment: "库存另有安排"})
    assert (done.status, done.outcome) == ("completed", "rejected")


def test_a_late_shipment_is_chased_by_the_merchandiser_then_cancelled(world):
    case = world.start("manager_sh001", P)
    step(world, case, "merchandiser_approval", "merch_zhao")
    ship = world.task(case.id, "ship_from_store")
    assert world.row(case.id)["next_timer_at"] == world.clock() + timedelta(hours=72)
    assert ship.due_at == world.clock() + timedelta(hours=48)  # the overdue reminder comes first
    assert world.advance(hours=71) == 0
    assert world.advance(hours=1) == 1
    assert world.open_ids(case.id) == ["ship_escalation"]
    step(world, case, "ship_escalation", "merch_zhao")  # chase: 24 hours more
    ship = world.task(case.id, "ship_from_store")
    assert world.row(case.id)["next_timer_at"] == world.clock() + timedelta(hours=24)
    assert world.advance(hours=24) == 1
    done = step(world, case, "ship_escalation", "merch_zhao", ship_action="cancel")
    assert (done.status, done.outcome) == ("completed", "cancelled")


def test_a_receipt_not_confirmed_in_5_days_is_chased_without_stopping_it(world):
    case = world.start("manager_sh001", P)
    step(world, case, "merchandiser_approval", "merch_zhao")
    step(world, case, "ship_from_store", "manager_sh002")
    assert world.advance(days=5) == 1
    assert world.open_ids(case.id) == ["confirm_receipt", "receipt_follow_up"]
    follow_up = world.task(case.id, "receipt_follow_up")
    assert world.who_sees(follow_up.id) == {"supervisor_east"}
    world.complete("supervisor_east", follow_up)
    done = step(world, case, "confirm_receipt", "manager_sh001")
    assert (done.status, done.outcome) == ("completed", "transferred")


def test_who_may_propose_a_transfer_and_between_which_stores(world):
    with pytest.raises(PermissionDenied):
        world.start("analyst_zheng", P)
    with pytest.raises(PermissionDenied):  # a store manager asks for goods for their own store
        world.start("manager_sh002", P)
    with pytest.raises(InvalidData) as refused:
        world.start("manager_sh001", P, from_store="XX999")
    assert refused.value.fields == {"from_store": "unknown store"}
    with pytest.raises(InvalidData) as refused:  # not open yet
        world.start("merch_zhao", P, from_store="SH003")
    assert "from_store" in refused.value.fields
    with pytest.raises(InvalidData) as refused:
        world.start("manager_sh001", P, from_store="SH001")
    assert refused.value.fields == {"from_store": "the same store as the case's"}
    with pytest.raises(InvalidData) as refused:  # a store ships: which one
        world.start("manager_sh001", P, from_store="")
    assert "from_store" in refused.value.fields
    start = dict(START[P])
    del start["from_store"]
    with pytest.raises(InvalidData) as refused:
        world.start("manager_sh001", P, start)
    assert "from_store" in refused.value.fields
    assert world.visible_tasks("merch_zhao") == []
    case = world.start("franchisee_nj01", P, store_code="NJ01", from_store="SH002")
    assert (case.store_code, case.started_by) == ("NJ01", "franchisee_nj01")


def test_the_receiving_store_may_send_the_transfer_back_past_the_called_shipment(world):
    def send_back(username, task_id, to, reason):
        def command(session, task, user, *rest):
            return runtime.send_back(world.engine, session, task, user, *rest)
        return world.run(username, command, task_id, to, reason)

    case = world.start("manager_sh001", P)
    step(world, case, "merchandiser_approval", "merch_zhao")
    ship = world.task(case.id, "ship_from_store")
    assert [t.element_id for t in world.detail("manager_sh002", ship.id).send_back_targets] == []
    world.complete("manager_sh002", ship)
    receipt = world.task(case.id, "confirm_receipt")
    targets = [t.element_id for t in world.detail("manager_sh001", receipt.id).send_back_targets]
    assert targets == ["merchandiser_approval"]  # the called steps are not sent back to
    send_back("manager_sh001", receipt.id, "merchandiser_approval", "款号有误，请重新审批")
    assert world.open_ids(case.id) == ["merchandiser_approval"]
    step(world, case, "merchandiser_approval", "merch_zhao")
    step(world, case, "ship_from_store", "manager_sh002")  # shipped again through a new 发货
    done = step(world, case, "confirm_receipt", "manager_sh001")
    assert (done.status, done.outcome) == ("completed", "transferred")


@pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_franchisee_moving_goods_between_their_own_stores_is_not_settled(world):
    case = world.start("franchisee_nj01", P, store_code="NJ02", from_store="NJ01")
    approval = world.task(case.id, "merchandiser_approval")
    data = world.case_data(approval.id)
    assert (data["store_owner"], data["from_store_owner"]) == ("南京冯氏服饰有限公司", "南京冯氏服饰有限公司")
    assert (data["needs_cs"], data["needs_settlement"]) == (True, False)
    world.complete("merch_zhao", approval)
    step(world, case, "cs_approval", "cs_wang")
    step(world, case, "ship_from_store", "franchisee_nj01")
    done = step(world, case, "confirm_receipt", "franchisee_nj01")
    assert (done.status, done.outcome, done.open_tasks) == ("completed", "transferred", [])
    assert "settlement" not in {e.element_id for e in world.events(case.id)}
