"""货品调拨 through /api/v1 as the demo users: between two direct stores (赵商品 approves, SH002's
manager ships through the called 发货, 张店长 receives); from the franchise NJ01 (customer service
approves too, 冯老板 ships, a line arrives short, the merchandiser resolves it, finance settles).
Each step is refused to whoever does not hold it: 403 to one who took part or reads the receiving
store's cases (its manager), 404 to anybody else."""
from __future__ import annotations

import copy

from .handoff_api import Handoff, app  # noqa: F401 - on SQLite and PostgreSQL

COATS = [{"sku": "W26-CT-3005", "name": "双面羊绒大衣", "colour_size": "黑色/L", "quantity": 5,
          "unit_price": 1599.0}]
TRANSFER = {"store_code": "SH001", "ship_from": "store", "from_store": "SH002", "items": COATS,
            "reason": "周末大衣断码，调货补足尺码"}


def _shipment(flow: Handoff, user: str, task: dict) -> dict:
    return {"shipped_items": copy.deepcopy(flow.detail(user, task)["case"]["shipped_items"]),
            "logistics_company": "顺丰速运", "logistics_no": "SF1029384756", "shipped_date": "2026-11-03"}


def test_a_transfer_between_two_direct_stores(api):
    flow = Handoff(api)
    case = flow.start("manager_sh001", "stock_transfer", TRANSFER)
    approval = flow.step(case, "merchandiser_approval")
    approve = {"approved": True, "merchandiser_comment": "同意"}
    flow.offered(approval, ("merch_zhao",), approve, manager_sh001=403, manager_sh002=404, manager_hz001=404,
                 cs_li=404, warehouse_qian=404, franchisee_nj01=404)

    ship = flow.step(flow.complete("merch_zhao", approval, approve), "ship_from_store")
    assert (ship["role"], ship["store_code"], ship["assignee"]) == ("store_manager", "SH002", "manager_sh002")
    shipment = _shipment(flow, "manager_sh002", ship)
    flow.offered(ship, ("manager_sh002",), shipment, manager_sh001=403, merch_zhao=403, manager_hz001=404,
                 warehouse_qian=404, franchisee_nj01=404)

    receipt = flow.step(flow.complete("manager_sh002", ship, shipment), "confirm_receipt")
    assert (receipt["store_code"], receipt["assignee"]) == ("SH001", "manager_sh001")
    received = flow.detail("manager_sh001", receipt)["case"]["received_items"]
    confirmation = {"received_items": received, "received_date": "2026-11-05"}
    flow.offered(receipt, ("manager_sh001",), confirmation, manager_sh002=403, merch_zhao=403,
                 manager_hz001=404, finance_wu=404)
    done = flow.complete("manager_sh001", receipt, confirmation)
    assert (done["status"], done["outcome"], done["open_tasks"]) == ("completed", "transferred", [])


def test_a_transfer_from_a_franchise_arrives_short_is_resolved_and_settled(api):
    flow = Handoff(api)
    case = flow.start("merch_zhao", "stock_transfer", {**TRANSFER, "from_store": "NJ01"})
    approval = flow.step(case, "merchandiser_approval")
    cs = flow.step(flow.complete("merch_zhao", approval, {"approved": True}), "cs_approval")
    approve = {"approved": True, "cs_comment": "已与加盟商确认数量与结算"}
    flow.offered(cs, ("cs_li", "cs_wang"), approve, merch_zhao=403, franchisee_nj01=404, manager_sh001=403,
                 finance_wu=404)

    ship = flow.step(flow.complete("cs_li", cs, approve), "ship_from_store")
    assert (ship["store_code"], ship["assignee"]) == ("NJ01", "franchisee_nj01")
    shipment = _shipment(flow, "franchisee_nj01", ship)
    flow.offered(ship, ("franchisee_nj01",), shipment, manager_sh001=403, manager_sh002=404, cs_li=403)

    receipt = flow.step(flow.complete("franchisee_nj01", ship, shipment), "confirm_receipt")
    received = copy.deepcopy(flow.detail("manager_sh001", receipt)["case"]["received_items"])
    received[0]["received_quantity"], received[0]["line_note"] = 4, "少1件"
    confirmation = {"received_items": received, "received_date": "2026-11-05"}
    flow.offered(receipt, ("manager_sh001",), confirmation, franchisee_nj01=403, manager_sh002=404)

    resolve = flow.step(flow.complete("manager_sh001", receipt, confirmation), "resolve_difference")
    resolution = {"resolution": "logistics_claim", "resolution_note": "短少1件，向物流索赔"}
    flow.offered(resolve, ("merch_zhao",), resolution, manager_sh001=403, franchisee_nj01=403,
                 warehouse_qian=404, finance_wu=404)

    settle = flow.step(flow.complete("merch_zhao", resolve, resolution), "settlement")
    assert flow.detail("finance_wu", settle)["case"]["received_amount"] == 4 * 1599
    settlement = {"settlement_amount": 4 * 1599, "settlement_no": "ST-2026-1106",
                  "settlement_date": "2026-11-09"}
    flow.offered(settle, ("finance_wu",), settlement, merch_zhao=403, manager_sh001=403, franchisee_nj01=403,
                 cs_li=403, manager_sh002=404)
    done = flow.complete("finance_wu", settle, settlement)
    assert (done["status"], done["outcome"], done["open_tasks"]) == ("completed", "transferred", [])
