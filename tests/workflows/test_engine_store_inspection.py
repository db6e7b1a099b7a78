"""店铺巡检 through the engine API as the demo users: a trainer or the region's supervisor inspects a
store; each failed item is a 整改 task seen only by that store's manager; whoever inspected re-checks
(the person who started the case, or the trainer who did the season's 开季巡检); the case closes when
every item passes. At each season start the schedule opens one case per open store."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from engine.directory.accounts import RoleSpec, insert_user_unchecked
from engine.errors import InvalidData, PermissionDenied
from engine.models import ProcessInstance
from engine.runtime import run_schedules

P = "store_inspection"
BOTH = pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                               indirect=True)
FIX = {"rectification_note": "已整改", "rectified_date": "2026-11-06"}
DEC_1 = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)  # 09:00 on 1 December in Shanghai
SEASON_FIX = {"rectification_note": "已整改", "rectified_date": "2026-12-03"}
OTHERS = ("supervisor_east", "manager_sh001", "manager_sh002", "franchisee_nj01", "merch_zhao", "director")


def _season_start(world) -> dict[str, int]:
    world.clock.set(DEC_1)
    assert run_schedules(world.engine, world.sessions) == 5 + 6  # and December's stocktake counts
    assert run_schedules(world.engine, world.sessions) == 0  # the period fires once
    with world.sessions() as s:
        return {c.store_code: c.id for c in s.scalars(
            select(ProcessInstance).where(ProcessInstance.process_key == P))}


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


@BOTH
def test_a_season_start_inspection_from_the_trainers_checklist_to_the_recheck(world):
    cases = _season_start(world)
    assert set(cases) == {"SH001", "SH002", "HZ001", "NJ01", "NJ02"}
    row = world.row(cases["HZ001"])
    assert (row["started_by_id"], row["title"]) == (None, "HZ001店铺巡检 · 2026-12-01")
    inspect = world.task(cases["HZ001"], "inspect")
    assert world.who_sees(inspect.id) == {"trainer_sun"}
    assert inspect.due_at - inspect.created_at == timedelta(days=14)
    world.complete("trainer_sun", inspect)  # two items below standard
    tasks = [t for t in world.visible_tasks("manager_hz001", P) if t.instance_id == cases["HZ001"]]
    assert [t.element_id for t in tasks] == ["rectify", "rectify"]
    for other in ("manager_sh001", "trainer_sun", "supervisor_east"):
        assert [t for t in world.visible_tasks(other, P) if t.instance_id == cases["HZ001"]] == []
    for task in tasks:
        world.complete("manager_hz001", task, SEASON_FIX, check=False)
    recheck = world.task(cases["HZ001"], "recheck")
    assert world.who_sees(recheck.id) == {"trainer_sun"}
    for other in OTHERS:
        world.refused(PermissionDenied, other, recheck.id, {})
    rows = world.detail("trainer_sun", recheck.id).case["recheck_items"]
    done = world.attempt("trainer_sun", recheck.id, {"recheck_items": rows, "recheck_date": "2026-12-05"})
    assert (done.status, done.outcome) == ("completed", "completed")


@BOTH
def test_with_two_trainers_the_stores_wait_in_their_pool_and_the_one_who_inspects_rechecks(world):
    with world.sessions() as s:
        insert_user_unchecked(s, "trainer_qin", "demo123", display_name="秦督导", roles=[RoleSpec("trainer")],
                              now=world.clock())
        s.commit()
    cases = _season_start(world)
    inspect = world.task(cases["NJ01"], "inspect")
    assert inspect.assignee is None  # in the trainers' pool
    world.claim("trainer_qin", inspect.id)
    world.refused(PermissionDenied, "trainer_sun", inspect.id, world.sample(inspect))
    world.attempt("trainer_qin", inspect.id, world.sample(inspect))
    for task in [t for t in world.visible_tasks("franchisee_nj01", P) if t.instance_id == cases["NJ01"]]:
        world.attempt("franchisee_nj01", task.id, SEASON_FIX)
    recheck = world.task(cases["NJ01"], "recheck")
    assert recheck.assignee == "trainer_qin"
    world.refused(PermissionDenied, "trainer_sun", recheck.id, {})


@BOTH
def test_a_supervisors_own_inspection_by_hand_has_no_inspection_step(world):
    case = world.start("supervisor_east", P, store_code="HZ001")
    assert world.open_ids(case.id) == ["rectify", "rectify"]
    assert [e for e in world.events(case.id) if e.element_id == "inspect"] == []
