"""新品上市, walked path by path: approval and rejection, the parallel preparation, one shelving
confirmation per target store (each to its own store manager), the wait until 14 days after launch,
and the analysis with and without a reorder."""
from datetime import datetime

import pytest

from engine.errors import InvalidData

P = "new_product_launch"
STORES = ["SH001", "SH002", "HZ001", "NJ01"]


def prepare(case):
    assert case.complete("launch_plan_approval", role="ops_director") == [
        "display_guideline", "launch_promotion", "order_and_purchase"]
    assert case.complete("order_and_purchase", role="merchandiser") == [
        "display_guideline", "goods_receipt", "launch_promotion"]
    assert case.ready_task("goods_receipt").data["po_no"] == "PO-2027-0101"
    case.complete("display_guideline", role="trainer")
    case.complete("goods_receipt", role="warehouse_keeper")
    return case.complete("launch_promotion", role="marketing")


def shelve_everywhere(case):
    for i, store in enumerate(STORES):
        case.complete("store_shelving", case.sample("store_shelving", store, shelved_qty=1000 + i,
                                                    display_compliant=store != "NJ01"),
                      role="store_manager", store_code=store)
    return case.ready_ids()


def test_stores_confirm_shelving_and_the_analyst_triggers_a_reorder(start_case):
    case = start_case(P)
    assert prepare(case) == ["store_shelving"] * 4
    shelving = {t.data["store_code"]: t for t in case.ready()}
    assert sorted(shelving) == sorted(STORES)
    for store, task in shelving.items():
        assert task.role == "store_manager"
        assert (task.data["guideline_summary"], task.data["promotion_theme"]) == (
            "橱窗主推碎花连衣裙，中岛按色系陈列", "春日序曲 新品上市")
    assert shelve_everywhere(case) == []
    assert case.next_timer == datetime.fromisoformat("2027-03-06T00:00:00+08:00")
    assert case.advance(days=123) == []  # 2027-03-05 09:00
    assert case.advance(days=1) == ["sell_through_analysis"]
    analysis = case.ready_task("sell_through_analysis").data
    plan = [analysis[k] for k in ("target_stores", "forecast_qty", "order_qty", "received_qty")]
    assert plan == [STORES, 4800, 5200, 5180]
    shelved = [analysis[k] for k in ("shelved_total", "stores_confirmed", "stores_display_compliant")]
    assert shelved == [4006, 4, 3]
    assert sorted((r["store_code"], r["shelved_qty"]) for r in analysis["shelving_results"]) == sorted(
        (s, 1000 + i) for i, s in enumerate(STORES))
    assert "store_code" not in analysis  # the instances' store codes stay in the instances
    assert case.complete("sell_through_analysis", role="analyst") == ["reorder"]
    assert case.ready_task("reorder").data["best_sellers"] == "S27-DR-0101 碎花连衣裙"
    assert case.complete("reorder", role="merchandiser") == []
    assert case.outcomes == ["launched"] and case.completed and "reorder" in case.seen


def test_no_reorder_when_sell_through_is_fine(start_case):
    case = start_case(P, target_stores=["HZ001"])
    assert prepare(case) == ["store_shelving"]
    case.complete("store_shelving", role="store_manager", store_code="HZ001")
    case.advance(days=200)
    no_reorder = case.sample("sell_through_analysis", reorder_needed=False, sell_through_rate=18.0)
    assert case.complete("sell_through_analysis", no_reorder, role="analyst") == []
    assert case.outcomes == ["launched"] and case.completed and "reorder" not in case.seen


def test_a_rejected_launch_plan_ends_the_case(start_case):
    case = start_case(P)
    rejected = {"approved": False, "director_comment": "与春季第二波段重叠，合并后再报"}
    assert case.complete("launch_plan_approval", rejected, role="ops_director") == []
    assert case.outcomes == ["rejected"] and case.completed


def test_the_analysis_waits_for_the_launch_date_even_if_shelving_is_late(start_case):
    case = start_case(P, target_stores=["SH001", "SH002"])
    prepare(case)
    case.advance(days=140)  # past launch + 14 days with one store still to confirm
    case.complete("store_shelving", role="store_manager", store_code="SH001")
    assert case.ready_ids() == ["store_shelving"]
    ready = case.complete("store_shelving", role="store_manager", store_code="SH002")
    assert ready == ["sell_through_analysis"]


@pytest.mark.parametrize("field, value", [
    ("target_stores", []), ("target_stores", ["SH001", "SH001"]), ("target_stores", ["shanghai"]),
    ("wave", 0), ("season", "spring_summer"), ("forecast_qty", 0), ("launch_date", "20270220"),
])
def test_invalid_launch_plans_get_field_errors(start_case, field, value):
    with pytest.raises(InvalidData) as refused:
        start_case(P, **{field: value})
    assert any(key.startswith(field) for key in refused.value.fields)


def test_shelving_quantities_must_not_be_negative(start_case):
    case = start_case(P, target_stores=["SH001"])
    prepare(case)
    with pytest.raises(InvalidData) as refused:
        case.complete("store_shelving", case.sample("store_shelving", shelved_qty=-3), role="store_manager",
                      store_code="SH001")
    assert "shelved_qty" in refused.value.fields


def test_a_launch_cannot_be_planned_for_a_day_already_past(start_case):
    with pytest.raises(InvalidData) as refused:  # the clock says 2 November 2026
        start_case(P, launch_date="2026-10-31")
    assert refused.value.fields == {"launch_date": "must be on or after 2026-11-02"}


@pytest.mark.parametrize("element, role, changes, fields", [
    ("order_and_purchase", "merchandiser", {"order_qty": 5761},  # the approved forecast is 4 800
     {"order_qty": "must be at most 5760"}),
    ("order_and_purchase", "merchandiser", {"expected_delivery_date": "2027-02-21"},
     {"expected_delivery_date": "must be on or before 2027-02-20 (launch_date)"}),
    ("goods_receipt", "warehouse_keeper", {"received_qty": 5201},  # 5 200 ordered
     {"received_qty": "must be at most 5200 (order_qty)"}),
])
def test_purchasing_stays_within_the_approved_plan(start_case, element, role, changes, fields):
    case = start_case(P)
    case.complete("launch_plan_approval", role="ops_director")
    if element == "goods_receipt":
        case.complete("order_and_purchase", role="merchandiser")
    assert case.refused(element, role=role, **changes) == fields


def test_no_store_shelves_and_no_analysis_sells_more_than_was_received(start_case):
    case = start_case(P)
    prepare(case)  # 5 180 received
    assert case.refused("store_shelving", role="store_manager", store_code="SH001", shelved_qty=5181) == {
        "shelved_qty": "must be at most 5180 (received_qty)"}
    assert case.ready_task("store_shelving", "SH001").data["received_qty"] == 5180  # shown on the form
    shelve_everywhere(case)
    case.advance(days=200)
    assert case.refused("sell_through_analysis", role="analyst", sold_qty=5181) == {
        "sold_qty": "must be at most 5180 (received_qty)"}
