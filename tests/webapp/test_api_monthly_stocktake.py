"""月度盘点 through /api/v1 as the demo users: the schedule starts one case per open store and one for
the warehouse on 1 December (the background runner, the clock moved there); each store's manager
finds only their store's count, the warehouse keeper only the warehouse's; 赵商品 reconciles (a
recount asked for, then a loss over 5000 元); 陈总监 sends the 盘点损溢表 back once and then approves
it; 吴财务 adjusts the books."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from webapp.background import background_runner

from .handoff_api import Handoff, app  # noqa: F401 - on SQLite and PostgreSQL

DEC_1 = datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)  # 02:00 on 1 December, Beijing time
COUNT = {"count_lines": [
    {"sku": "W26-CT-3005", "name": "双面羊绒大衣", "counted_quantity": 18, "unit_cost": 620.0},
    {"sku": "W26-KN-2031", "name": "羊毛针织开衫", "counted_quantity": 41, "unit_cost": 150.0}],
    "count_date": "2026-12-01", "counter_note": "闭店后盘点，两人复核"}
OTHER_MANAGERS = {"manager_sh002": 404, "manager_hz001": 404, "franchisee_nj01": 404}


@pytest.fixture
def counts(app, app_clock, api) -> dict[str | None, dict]:  # noqa: F811 - the imported fixture
    """The open count step of each case the schedule started, by store (None: the warehouse)."""
    app_clock.set(DEC_1)
    assert background_runner(app).run_once()["schedules"] == 6
    found = {}
    for user, stores in (("manager_sh001", 1), ("manager_sh002", 1), ("manager_hz001", 1),
                         ("franchisee_nj01", 2), ("warehouse_qian", 1)):
        tasks = api.as_(user).get("/tasks").get_json()["items"]  # each finds exactly its own counts
        assert len(tasks) == stores  # the franchisee owns and runs NJ01 and NJ02
        for task in tasks:
            assert task["process_key"] == "monthly_stocktake"
            found[task["store_code"]] = task
    assert set(found) == {"SH001", "SH002", "HZ001", "NJ01", "NJ02", None}
    assert api.as_("manager_sh003").get("/tasks").get_json()["items"] == []  # SH003 is not open
    return found


def test_a_scheduled_count_is_reconciled_approved_by_the_director_and_adjusted(api, counts):
    flow = Handoff(api)
    count = counts["SH001"]
    assert (count["element_id"], count["assignee"]) == ("store_count", "manager_sh001")
    flow.offered(count, ("manager_sh001",), COUNT, merch_zhao=404, warehouse_qian=404, finance_wu=404,
                 **OTHER_MANAGERS)

    reconcile = flow.step(flow.complete("manager_sh001", count, COUNT), "reconcile")
    lines = copy.deepcopy(flow.detail("merch_zhao", reconcile)["case"]["reconcile_lines"])
    lines[0]["book_quantity"] = 38  # 20 coats fewer than booked: surely miscounted
    recount = {"reconcile_lines": lines, "recount": True, "reconcile_comment": "大衣差20件，请复盘"}
    flow.offered(reconcile, ("merch_zhao",), recount, manager_sh001=403, finance_wu=404, director=403,
                 **OTHER_MANAGERS)
    count = flow.step(flow.complete("merch_zhao", reconcile, recount), "store_count")
    assert count["id"] in flow.todo("manager_sh001") and count["id"] not in flow.todo("manager_sh002")
    recounted = {**COUNT, "count_lines": [{**COUNT["count_lines"][0], "counted_quantity": 28},
                                          COUNT["count_lines"][1]]}
    reconcile = flow.step(flow.complete("manager_sh001", count, recounted), "reconcile")

    lines = copy.deepcopy(flow.detail("merch_zhao", reconcile)["case"]["reconcile_lines"])
    lines[0]["book_quantity"], lines[0]["difference_reason"] = 38, "疑似被盗，已报警"  # 10 × 620 = 6200 lost
    confirmed = {"reconcile_lines": lines, "recount": False, "reconcile_comment": "差异已与店长核实"}
    approval = flow.step(flow.complete("merch_zhao", reconcile, confirmed), "director_approval")
    case = flow.detail("director", approval)["case"]
    assert (case["loss_amount"], case["net_loss_amount"]) == (6200, 6200)
    assert [(d["sku"], d["kind"], d["quantity"]) for d in case["difference_lines"]] == [
        ("W26-CT-3005", "loss", 10)]
    refusal = {"approved": False, "director_comment": "请补充报警回执后再报"}
    flow.offered(approval, ("director",), refusal, merch_zhao=403, manager_sh001=403, finance_wu=404,
                 **OTHER_MANAGERS)
    reconcile = flow.step(flow.complete("director", approval, refusal), "reconcile")  # back to merchandising
    approval = flow.step(flow.complete("merch_zhao", reconcile, confirmed), "director_approval")
    adjust = flow.step(flow.complete("director", approval, {"approved": True}), "adjust_books")

    adjustment = {"adjustment_no": "TZ-2026-1203", "adjusted_date": "2026-12-03"}
    flow.offered(adjust, ("finance_wu",), adjustment, merch_zhao=403, director=403, manager_sh001=403,
                 warehouse_qian=404, **OTHER_MANAGERS)
    done = flow.complete("finance_wu", adjust, adjustment)
    assert (done["status"], done["outcome"], done["store_code"]) == ("completed", "adjusted", "SH001")
    others = {t["store_code"] for t in api.as_("merch_zhao").get("/tasks").get_json()["items"]}
    assert others == set()  # the other stores' counts are still with their managers


def test_the_warehouse_count_with_a_small_loss_goes_straight_to_finance(api, counts):
    flow = Handoff(api)
    count = counts[None]
    assert (count["element_id"], count["assignee"]) == ("warehouse_count", "warehouse_qian")
    flow.offered(count, ("warehouse_qian",), COUNT, manager_sh001=404, merch_zhao=404, **OTHER_MANAGERS)
    reconcile = flow.step(flow.complete("warehouse_qian", count, COUNT), "reconcile")
    lines = copy.deepcopy(flow.detail("merch_zhao", reconcile)["case"]["reconcile_lines"])
    lines[1]["book_quantity"] = 43  # 2 cardigans short: 300 元
    adjust = flow.step(flow.complete("merch_zhao", reconcile, {"reconcile_lines": lines, "recount": False}),
                       "adjust_books")
    assert flow.detail("finance_wu", adjust)["case"]["net_loss_amount"] == 300
    done = flow.complete("finance_wu", adjust,
                         {"adjustment_no": "TZ-2026-1204", "adjusted_date": "2026-12-04"})
    assert (done["status"], done["outcome"], done["store_code"]) == ("completed", "adjusted", None)
