"""新品上市 through the engine API as the demo users: only a merchandiser proposes a launch; the
director approves or rejects it; ordering, display guideline and promotion run in parallel; each
target store's manager confirms the shelving of their own store only; 14 days after launch the
analyst judges sell-through, with or without a reorder. `world.complete` checks at every step who
sees the task (and that everyone else is refused), renders its form against the case and refuses
invalid data without changing anything."""
from datetime import datetime, timedelta, timezone

import pytest

from engine.errors import InvalidData, PermissionDenied

P = "new_product_launch"
STORES = {"SH001": "manager_sh001", "SH002": "manager_sh002", "HZ001": "manager_hz001",
          "NJ01": "franchisee_nj01"}
ANALYSIS_DUE = datetime(2027, 3, 5, 16, 0, tzinfo=timezone.utc)  # 2027-02-20 + 14 days, 00:00 in Shanghai


def step(world, case, element, user, data=None, store=None, **overrides):
    return world.complete(user, world.task(case.id, element, store), data, **overrides)


def prepare(world, case):
    approval = world.task(case.id, "launch_plan_approval")
    assert world.who_sees(approval.id) == {"director"}
    world.refused(PermissionDenied, "cs_li", approval.id, {"approved": True})
    world.complete("director", approval)
    assert world.open_ids(case.id) == ["display_guideline", "launch_promotion", "order_and_purchase"]
    step(world, case, "order_and_purchase", "merch_zhao")
    receipt = world.task(case.id, "goods_receipt")
    assert world.case_data(receipt.id)["po_no"] == "PO-2027-0101"
    step(world, case, "display_guideline", "trainer_sun")
    world.complete("warehouse_qian", receipt)
    return step(world, case, "launch_promotion", "marketing_zhou")


@pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_each_store_confirms_its_own_shelving_and_the_analyst_triggers_a_reorder(world, user_tasks):
    case = world.start("merch_zhao", P)
    assert (case.business_key, case.title) == ("NP-20261102-00001", "春日序曲 第1波段上市 · 2027-02-20")
    prepare(world, case)
    shelving = {t.store_code: t for t in world.instance(case.id).open_tasks}
    assert sorted(shelving) == sorted(STORES)
    assert {t.element_id for t in shelving.values()} == {"store_shelving"}
    for store, manager in STORES.items():
        assert world.visible_tasks(manager) == [shelving[store]]  # their own store's task, no other
        assert world.who_sees(shelving[store].id) == {manager}
        data = world.case_data(shelving[store].id)
        assert (data["store_code"], data["promotion_theme"]) == (store, "春日序曲 新品上市")
    assert world.visible_tasks("manager_sh003") == []
    for i, (store, manager) in enumerate(STORES.items()):
        world.complete(manager, shelving[store], shelved_qty=1000 + i, display_compliant=store != "NJ01")
        assert world.visible_tasks(manager) == []
    assert world.open_ids(case.id) == [] and world.row(case.id)["next_timer_at"] == ANALYSIS_DUE
    assert world.advance(until=ANALYSIS_DUE - timedelta(minutes=1)) == 0
    assert world.visible_tasks("analyst_zheng") == []
    assert world.advance(minutes=1) == 1
    analysis = world.task(case.id, "sell_through_analysis")
    assert world.who_sees(analysis.id) == {"analyst_zheng"}
    data = world.case_data(analysis.id)
    assert [data[k] for k in ("target_stores", "forecast_qty", "order_qty", "received_qty")] == [
        list(STORES), 4800, 5200, 5180]
    shelved = [data[k] for k in ("shelved_total", "stores_confirmed", "stores_display_compliant")]
    assert shelved == [4006, 4, 3]
    assert sorted((r["store_code"], r["shelved_qty"]) for r in data["shelving_results"]) == sorted(
        (s, 1000 + i) for i, s in enumerate(STORES))
    world.complete("analyst_zheng", analysis)
    reorder = world.task(case.id, "reorder")
    assert world.case_data(reorder.id)["best_sellers"] == "S27-DR-0101 碎花连衣裙"
    done = world.complete("merch_zhao", reorder)
    assert (done.status, done.outcome, done.open_tasks) == ("completed", "launched", [])
    world.assert_told(case, "merch_zhao", "launched")
    assert world.rendered[P] == user_tasks(P)


def test_only_a_merchandiser_proposes_a_launch(world):
    for user in ("manager_sh001", "director", "analyst_zheng", "franchisee_nj01"):
        with pytest.raises(PermissionDenied):
            world.start(user, P)
    for field, value in (("target_stores", ["SH001", "SH001"]), ("target_stores", []), ("wave", 0),
                         ("launch_date", "20270220")):
        with pytest.raises(InvalidData) as refused:
            world.start("merch_zhao", P, **{field: value})
        assert any(key.startswith(field) for key in refused.value.fields)
    assert world.visible_tasks("director") == [] and world.outcomes("merch_zhao") == {}


def test_a_launch_only_targets_stores_that_exist_and_are_open(world):
    for stores, bad in ((["SH001", "ZZ01"], "target_stores.1"), (["SH003", "SH001"], "target_stores.0")):
        with pytest.raises(InvalidData) as refused:
            world.start("merch_zhao", P, target_stores=stores)
        assert bad in refused.value.fields
    assert world.visible_tasks("director") == []


def test_a_rejected_launch_plan_ends_the_case_and_the_merchandiser_is_told(world):
    case = world.start("merch_zhao", P)
    approval = world.task(case.id, "launch_plan_approval")
    refused = world.refused(InvalidData, "director", approval.id, {"approved": False})
    assert "director_comment" in refused.fields
    rejected = {"approved": False, "director_comment": "与春季第二波段重叠，合并后再报"}
    done = world.complete("director", approval, rejected)
    assert (done.status, done.outcome, done.open_tasks) == ("completed", "rejected", [])
    world.assert_told(case, "merch_zhao", "rejected")


def test_no_reorder_when_sell_through_is_fine(world):
    case = world.start("merch_zhao", P, target_stores=["HZ001"])
    prepare(world, case)
    shelving = world.task(case.id, "store_shelving")
    assert world.who_sees(shelving.id) == {"manager_hz001"}
    for manager in ("manager_sh001", "manager_sh002", "franchisee_nj01"):
        assert world.visible_tasks(manager) == []
    assert "shelved_qty" in world.refused(InvalidData, "manager_hz001", shelving.id,
                                          world.sample(shelving, shelved_qty=-3)).fields
    world.complete("manager_hz001", shelving)
    world.advance(days=200)
    done = step(world, case, "sell_through_analysis", "analyst_zheng", reorder_needed=False,
                sell_through_rate=18.0)
    assert (done.status, done.outcome) == ("completed", "launched")
    assert "reorder" not in {e.element_id for e in world.events(case.id)}
    world.assert_told(case, "merch_zhao", "launched")


def test_the_analysis_waits_for_the_launch_date_and_for_the_last_store(world):
    case = world.start("merch_zhao", P, target_stores=["SH001", "NJ01"])
    prepare(world, case)
    assert world.advance(days=140) == 0  # past launch + 14 days, but two stores have not confirmed
    step(world, case, "store_shelving", "manager_sh001", store="SH001", check=False)
    assert world.open_ids(case.id) == ["store_shelving"]
    assert [t.store_code for t in world.visible_tasks("franchisee_nj01")] == ["NJ01"]
    assert world.visible_tasks("manager_sh001") == []
    step(world, case, "store_shelving", "franchisee_nj01")
    assert world.open_ids(case.id) == ["sell_through_analysis"]
    assert world.row(case.id)["next_timer_at"] is None
