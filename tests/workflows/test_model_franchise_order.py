"""加盟商订货, walked path by path in the words of the model: both rows of `order_credit`, partial
allocation with back-orders, the called 发货 and its data, the 少货 claim and its credit."""
import pytest
from lxml import etree

from workflows import BPMN_DIR

P = "franchise_order"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@pytest.mark.parametrize("limit, balance, finance", [(200000, 50000, False), (50000, 22040, False),
                                                     (50000, 22041, True)])
def test_the_credit_rule_asks_finance_only_over_the_limit(start_case, limit, balance, finance):
    case = start_case(P)  # 27 960 元
    checked = {"order_valid": True, "credit_limit": limit, "outstanding_balance": balance}
    ready = case.complete("cs_check", checked, role="cs_agent")
    assert ready == (["finance_decision"] if finance else ["allocate"])


def test_back_orders_are_recorded_and_only_allocated_lines_ship(start_case):
    case = start_case(P)
    case.complete("cs_check", role="cs_agent")

    def none_of_the_coats(data):
        lines = [dict(r) for r in data["allocation_items"]]
        lines[1]["allocated_quantity"] = 0
        return {"allocation_items": lines}
    assert case.complete("allocate", none_of_the_coats, role="merchandiser") == ["ship_from_warehouse"]
    ship = case.ready_task("ship_from_warehouse").data
    assert [r["sku"] for r in ship["shipped_items"]] == ["W26-KN-2031"]
    assert ship["backorder_items"] == [{"sku": "W26-CT-3005", "name": "双面羊绒大衣", "colour_size": "黑色/L",
                                        "backorder_quantity": 10}]
    assert ship["allocated_amount"] == 30 * 399
    assert case.complete("ship_from_warehouse", role="warehouse_keeper") == ["confirm_receipt"]
    receipt = case.ready_task("confirm_receipt").data
    assert [(r["sku"], r["shipped_quantity"]) for r in receipt["received_items"]] == [("W26-KN-2031", 30)]
    assert case.complete("confirm_receipt", store_code="NJ01", role="franchisee") == []
    assert case.outcomes == ["delivered"] and case.completed


def test_a_shortage_claim_is_checked_then_credited(start_case):
    case = start_case(P)
    case.complete("cs_check", role="cs_agent")
    case.complete("allocate", role="merchandiser")
    case.complete("ship_from_warehouse", role="warehouse_keeper")

    def short(data):
        lines = [dict(r) for r in data["received_items"]]
        lines[0].update(received_quantity=27, line_note="少3件")
        return {"received_items": lines, "received_date": "2026-11-05"}
    ready = case.complete("confirm_receipt", short, store_code="NJ01", role="franchisee")
    assert ready == ["warehouse_check"]
    claim = case.ready_task("warehouse_check").data
    assert [(r["sku"], r["claimed_quantity"], r["confirmed_quantity"]) for r in claim["shortage_items"]] == [
        ("W26-KN-2031", 3, 3)]
    assert case.complete("warehouse_check", role="warehouse_keeper") == ["credit_note"]
    assert case.ready_task("credit_note").data["default_credit_amount"] == 3 * 399
    assert case.complete("credit_note", role="finance") == []
    assert case.outcomes == ["credited"]


def test_the_order_calls_the_shared_ship_goods():
    process = etree.parse(str(BPMN_DIR / f"{P}.bpmn")).getroot().find(f"{BPMN}process")
    assert [(c.get("id"), c.get("calledElement")) for c in process.iter(f"{BPMN}callActivity")] == [
        ("ship", "ship_goods")]
