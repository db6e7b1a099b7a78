"""加盟商订货 through the engine API as the demo users: the franchisee orders for their own store,
customer service checks the credit (`order_credit`: over the limit, finance decides), the merchandiser
allocates part and back-orders the rest, the warehouse ships through the shared 发货, the franchisee
confirms receipt, and a 少货 claim is checked by the warehouse and credited by finance."""
import pytest

from engine.errors import InvalidData, PermissionDenied

P = "franchise_order"


def step(world, case, element, user, data=None, **overrides):
    return world.complete(user, world.task(case.id, element), data, **overrides)


@pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_an_order_within_credit_is_allocated_in_part_shipped_and_a_shortage_credited(world):
    case = world.start("franchisee_nj01", P)
    assert (case.business_key, case.store_code) == ("FO-20261102-00001", "NJ01")
    check = world.task(case.id, "cs_check")
    assert world.who_sees(check.id) == {"cs_li", "cs_wang"}
    assert world.case_data(check.id)["total_amount"] == 30 * 399 + 10 * 1599
    world.complete("cs_li", check)  # 200 000 limit, 50 000 open: within

    allocate = world.task(case.id, "allocate")

    def part(data):
        lines = [dict(r) for r in data["allocation_items"]]
        lines[1]["allocated_quantity"] = 6
        return {"allocation_items": lines, "allocation_note": "大衣库存不足"}
    over = world.case_data(allocate.id)["allocation_items"]
    over = [{**r, "allocated_quantity": r["quantity"] + 1} for r in over]
    world.refused(InvalidData, "merch_zhao", allocate.id, {"allocation_items": over})
    world.complete("merch_zhao", allocate, part)

    ship = world.task(case.id, "ship_from_warehouse")
    assert world.who_sees(ship.id) == {"warehouse_qian"}
    data = world.case_data(ship.id)
    assert [(r["sku"], r["quantity"]) for r in data["shipped_items"]] == [
        ("W26-KN-2031", 30), ("W26-CT-3005", 6)]
    assert [(r["sku"], r["backorder_quantity"]) for r in data["backorder_items"]] == [("W26-CT-3005", 4)]
    world.complete("warehouse_qian", ship)

    receipt = world.task(case.id, "confirm_receipt")
    assert world.who_sees(receipt.id) == {"franchisee_nj01"}

    def short(data):
        lines = [dict(r) for r in data["received_items"]]
        lines[1].update(received_quantity=4, line_note="少2件大衣")
        return {"received_items": lines, "received_date": "2026-11-05"}
    world.complete("franchisee_nj01", receipt, short)

    check = world.task(case.id, "warehouse_check")

    def one_confirmed(data):
        lines = [dict(r) for r in data["shortage_items"]]
        lines[0]["confirmed_quantity"] = 1
        return {"shortage_items": lines, "check_note": "装箱单显示少装1件"}
    world.complete("warehouse_qian", check, one_confirmed)
    credit = world.task(case.id, "credit_note")
    data = world.case_data(credit.id)
    assert data["default_credit_amount"] == 1599 == data["credit_amount"]
    world.refused(InvalidData, "finance_wu", credit.id, world.sample(credit, credit_amount=3198))
    done = world.complete("finance_wu", credit)
    assert (done.status, done.outcome) == ("completed", "credited")
    world.assert_told(case, "franchisee_nj01", "credited")


def test_over_the_credit_limit_finance_decides(world):
    case = world.start("franchisee_nj01", P)
    step(world, case, "cs_check", "cs_li", credit_limit=50000, outstanding_balance=40000)
    decide = world.task(case.id, "finance_decision")
    refused = world.refused(InvalidData, "finance_wu", decide.id, {"approved": False})
    assert "finance_comment" in refused.fields
    done = world.complete("finance_wu", decide, {"approved": False, "finance_comment": "请先回款"})
    assert (done.status, done.outcome) == ("completed", "rejected")


def test_finance_releases_an_order_over_the_limit_and_it_is_delivered_without_shortage(world):
    case = world.start("franchisee_nj01", P)
    step(world, case, "cs_check", "cs_li", credit_limit=50000, outstanding_balance=40000)
    step(world, case, "finance_decision", "finance_wu")
    step(world, case, "allocate", "merch_zhao")
    step(world, case, "ship_from_warehouse", "warehouse_qian")
    done = step(world, case, "confirm_receipt", "franchisee_nj01")
    assert (done.status, done.outcome) == ("completed", "delivered")


def test_an_invalid_order_nothing_to_allocate_or_a_shortage_not_confirmed(world):
    case = world.start("franchisee_nj01", P)
    done = step(world, case, "cs_check", "cs_li", order_valid=False, cs_comment="价格有误")
    assert done.outcome == "rejected"

    case = world.start("franchisee_nj01", P)
    step(world, case, "cs_check", "cs_li")
    done = step(world, case, "allocate", "merch_zhao", lambda data: {"allocation_items": [
        {**r, "allocated_quantity": 0} for r in data["allocation_items"]]})
    assert (done.outcome, world.open_ids(case.id)) == ("rejected", [])

    case = world.start("franchisee_nj01", P)
    step(world, case, "cs_check", "cs_li")
    step(world, case, "allocate", "merch_zhao")
    step(world, case, "ship_from_warehouse", "warehouse_qian")

    def short(data):
        lines = [dict(r) for r in data["received_items"]]
        lines[0]["received_quantity"] = 29
        return {"received_items": lines, "received_date": "2026-11-05"}
    step(world, case, "confirm_receipt", "franchisee_nj01", short)
    done = step(world, case, "warehouse_check", "warehouse_qian", lambda data: {
        "shortage_items": [{**r, "confirmed_quantity": 0} for r in data["shortage_items"]],
        "check_note": "监控显示已足数装箱"})
    assert (done.status, done.outcome) == ("completed", "delivered")


def test_only_a_franchisee_orders_and_for_their_own_store(world):
    with pytest.raises(PermissionDenied):
        world.start("manager_sh001", P, store_code="SH001")
    with pytest.raises(PermissionDenied):
        world.start("franchisee_nj01", P, store_code="SH001")
