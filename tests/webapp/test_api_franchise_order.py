"""加盟商订货 through /api/v1 as the demo users: 冯老板 (franchisee of NJ01) orders; customer service
checks the credit (over the limit, 吴财务 releases it); 赵商品 allocates part (the rest back-ordered);
钱仓管 ships through the called 发货; 冯老板 claims a 少货; the warehouse confirms it; finance issues
the credit note. Nobody outside a step's role and store is offered it: one who took part in the case
(or reads its store's cases) is refused with 403, anybody else finds no such task (404)."""
from __future__ import annotations

import copy

from .handoff_api import Handoff, app  # noqa: F401 - on SQLite and PostgreSQL

ORDER = {"store_code": "NJ01", "order_note": "冬季第二批补货",  # 30 × 399 + 10 × 1599 = 27 960 元
         "items": [{"sku": "W26-KN-2031", "name": "羊毛针织开衫", "colour_size": "驼色/M", "quantity": 30,
                    "unit_price": 399.0},
                   {"sku": "W26-CT-3005", "name": "双面羊绒大衣", "colour_size": "黑色/L", "quantity": 10,
                    "unit_price": 1599.0}]}
STORE_MANAGERS = {"manager_sh001": 404, "manager_sh002": 404, "manager_hz001": 404}


def test_an_order_over_the_credit_limit_is_released_by_finance_and_a_shortage_credited(api):
    flow = Handoff(api)
    case = flow.start("franchisee_nj01", "franchise_order", ORDER)
    check = flow.step(case, "cs_check")
    assert (check["role"], check["store_code"], check["assignee"]) == ("cs_agent", "NJ01", None)
    credit = {"order_valid": True, "credit_limit": 50000, "outstanding_balance": 40000}  # 17 960 over
    flow.offered(check, ("cs_li", "cs_wang"), credit, franchisee_nj01=403, merch_zhao=404,
                 finance_wu=404, warehouse_qian=404, **STORE_MANAGERS)
    decision = flow.step(flow.complete("cs_wang", check, credit), "finance_decision")
    assert flow.detail("finance_wu", decision)["case"]["total_amount"] == 27960
    released = {"approved": True, "finance_comment": "加盟商已回款，放行"}
    flow.offered(decision, ("finance_wu",), released, cs_li=404, merch_zhao=404, franchisee_nj01=403,
                 **STORE_MANAGERS)

    allocate = flow.step(flow.complete("finance_wu", decision, released), "allocate")
    lines = copy.deepcopy(flow.detail("merch_zhao", allocate)["case"]["allocation_items"])
    lines[0]["allocated_quantity"] = 20  # 10 cardigans back-ordered
    allocation = {"allocation_items": lines, "allocation_note": "开衫库存不足，缺10件补货"}
    flow.offered(allocate, ("merch_zhao",), allocation, cs_li=404, warehouse_qian=404, franchisee_nj01=403,
                 **STORE_MANAGERS)

    ship = flow.step(flow.complete("merch_zhao", allocate, allocation), "ship_from_warehouse")
    shipped = copy.deepcopy(flow.detail("warehouse_qian", ship)["case"]["shipped_items"])
    assert [(r["sku"], r["quantity"]) for r in shipped] == [("W26-KN-2031", 20), ("W26-CT-3005", 10)]
    shipment = {"shipped_items": shipped, "logistics_company": "德邦物流", "logistics_no": "DB20261104",
                "shipped_date": "2026-11-04"}
    flow.offered(ship, ("warehouse_qian",), shipment, merch_zhao=403, cs_li=404, franchisee_nj01=403,
                 **STORE_MANAGERS)

    receipt = flow.step(flow.complete("warehouse_qian", ship, shipment), "confirm_receipt")
    assert (receipt["role"], receipt["store_code"]) == ("franchisee", "NJ01")
    received = copy.deepcopy(flow.detail("franchisee_nj01", receipt)["case"]["received_items"])
    received[1]["received_quantity"], received[1]["line_note"] = 8, "外箱破损，少2件大衣"
    confirmation = {"received_items": received, "received_date": "2026-11-06"}
    flow.offered(receipt, ("franchisee_nj01",), confirmation, warehouse_qian=403, cs_li=404,
                 **STORE_MANAGERS)

    check = flow.step(flow.complete("franchisee_nj01", receipt, confirmation), "warehouse_check")
    shortage = copy.deepcopy(flow.detail("warehouse_qian", check)["case"]["shortage_items"])
    assert [(r["sku"], r["claimed_quantity"]) for r in shortage] == [("W26-CT-3005", 2)]
    shortage[0]["confirmed_quantity"] = 1  # the packing list shows one coat short, not two
    verdict = {"shortage_items": shortage, "check_note": "装箱单核对：少发1件"}
    flow.offered(check, ("warehouse_qian",), verdict, franchisee_nj01=403, finance_wu=403, cs_li=404,
                 **STORE_MANAGERS)

    note = flow.step(flow.complete("warehouse_qian", check, verdict), "credit_note")
    assert flow.detail("finance_wu", note)["case"]["default_credit_amount"] == 1599
    credit_note = {"credit_amount": 1599, "credit_note_no": "CN-2026-1110", "credit_date": "2026-11-10"}
    flow.offered(note, ("finance_wu",), credit_note, warehouse_qian=403, cs_li=404, franchisee_nj01=403,
                 **STORE_MANAGERS)
    done = flow.complete("finance_wu", note, credit_note)
    assert (done["status"], done["outcome"], done["open_tasks"]) == ("completed", "credited", [])
    data = flow.case("franchisee_nj01", case["id"])["data"]
    assert data["backorder_items"] == [{"sku": "W26-KN-2031", "name": "羊毛针织开衫", "colour_size": "驼色/M",
                                        "backorder_quantity": 10}]
    assert (data["allocated_amount"], data["credit_amount"]) == (20 * 399 + 10 * 1599, 1599)


def test_an_order_within_the_limit_goes_straight_to_allocation_and_ends_delivered(api):
    flow = Handoff(api)
    case = flow.start("franchisee_nj01", "franchise_order", ORDER)
    credit = {"order_valid": True, "credit_limit": 200000, "outstanding_balance": 50000}
    allocate = flow.step(flow.complete("cs_li", flow.step(case, "cs_check"), credit), "allocate")
    lines = flow.detail("merch_zhao", allocate)["case"]["allocation_items"]
    ship = flow.step(flow.complete("merch_zhao", allocate, {"allocation_items": lines}),
                     "ship_from_warehouse")
    shipped = flow.detail("warehouse_qian", ship)["case"]["shipped_items"]
    receipt = flow.step(flow.complete("warehouse_qian", ship, {
        "shipped_items": shipped, "logistics_company": "顺丰速运", "logistics_no": "SF20261104",
        "shipped_date": "2026-11-04"}), "confirm_receipt")
    received = flow.detail("franchisee_nj01", receipt)["case"]["received_items"]
    done = flow.complete("franchisee_nj01", receipt,
                         {"received_items": received, "received_date": "2026-11-05"})
    assert (done["status"], done["outcome"]) == ("completed", "delivered")


def test_only_a_franchisee_orders_and_only_for_their_own_store(api):
    refused = api.as_("manager_sh001").post("/processes/franchise_order/instances", json={"data": ORDER})
    assert refused.status_code == 403
    elsewhere = api.as_("franchisee_nj01").post("/processes/franchise_order/instances",
                                                json={"data": {**ORDER, "store_code": "SH001"}})
    assert elsewhere.status_code == 403
