"""店铺巡检 through the engine API as the demo users: a trainer or the region's supervisor inspects a
store; each failed item is a 整改 task seen only by that store's manager; the inspector who started
the case (whoever it was) re-checks; the case closes when every item passes."""
import pytest

from engine.errors import InvalidData, PermissionDenied

P = "store_inspection"
BOTH = pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                               indirect=True)
FIX = {"rectification_note": "已整改", "rectified_date": "2026-11-06"}


@BOTH
def test_failed_items_are_rectified_by_the_store_and_rechecked_by_the_supervisor(world):
    case = world.start("supervisor_east", P, store_code="SH002")
    assert (case.business_key, case.title) == ("IN-20261102-00001", "SH002店铺巡检 · 2026-11-02")
    tasks = [t for t in world.visible_tasks("manager_sh002", P) if t.instance_id == case.id]
    assert [t.element_id for t in tasks] == ["rectify", "rectify"]
    for other in ("manager_sh001", "franchisee_nj01", "trainer_sun", "director"):
        assert [t for t in world.visible_tasks(other, P) if t.instance_id == case.id] == []
    world.refused(PermissionDenied, "manager_sh001", tasks[0].id, FIX)
    for task in tasks:
        world.complete("manager_sh002", task, FIX, check=False)
    recheck = world.task(case.id, "recheck")
    assert world.who_sees(recheck.id) == {"supervisor_east"}
    done = world.complete("supervisor_east", recheck)
    assert (done.status, done.outcome) == ("completed", "completed")


@BOTH
def test_a_trainers_inspection_comes_back_to_the_trainer_to_recheck(world):
    case = world.start("trainer_sun", P, store_code="NJ01")  # franchise stores are inspected too
    for task in [t for t in world.visible_tasks("franchisee_nj01", P) if t.instance_id == case.id]:
        world.attempt("franchisee_nj01", task.id, FIX)
    recheck = world.task(case.id, "recheck")
    assert world.who_sees(recheck.id) == {"trainer_sun"}
    rows = world.detail("trainer_sun", recheck.id).case["recheck_items"]
    still = [{**rows[0], "passed": False, "recheck_note": "工牌仍未佩戴"},
             *({**r, "passed": True} for r in rows[1:])]
    world.attempt("trainer_sun", recheck.id, {"recheck_items": still, "recheck_date": "2026-11-10"})
    assert world.open_ids(case.id) == ["rectify"]
    [again] = [t for t in world.visible_tasks("franchisee_nj01", P) if t.instance_id == case.id]
    world.attempt("franchisee_nj01", again.id, FIX)
    recheck = world.task(case.id, "recheck")
    rows = [{**r, "passed": True} for r in world.detail("trainer_sun", recheck.id).case["recheck_items"]]
    done = world.attempt("trainer_sun", recheck.id, {"recheck_items": rows, "recheck_date": "2026-11-12"})
    assert (done.status, done.outcome) == ("completed", "completed")


@BOTH
def test_who_may_inspect(world):
    for nobody in ("manager_sh001", "merch_zhao", "cs_li", "finance_wu"):
        with pytest.raises(PermissionDenied):
            world.start(nobody, P)
    with pytest.raises(InvalidData) as refused:
        world.start("supervisor_east", P, store_code="SH999")
    assert "store_code" in refused.value.fields
