"""店铺巡检, walked path by path: a clean inspection closes at once; each failed item becomes a 整改
task of its own for the store manager; the inspector re-checks, and what still fails goes back to
the store until everything passes. At each season start the schedule opens one case per open store,
whose first step, 开季巡检, is the trainer's; a case started by hand with its checklist skips it."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine.errors import InvalidData
from engine.models import ProcessInstance, Schedule
from engine.runtime import run_schedules
from tests.workflows.model_case import ModelCase

P = "store_inspection"
DEC_1 = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)  # 09:00 on 1 December in Shanghai: winter


def season_start(world) -> dict[str, ModelCase]:
    """Fire the season start; the case it opened for each store."""
    world.clock.set(DEC_1)
    run_schedules(world.engine, world.sessions)
    with world.sessions() as s:
        return {c.store_code: ModelCase(world, P, case_id=c.id) for c in s.scalars(
            select(ProcessInstance).where(ProcessInstance.process_key == P,
                                          ProcessInstance.started_by_id.is_(None)))}


def rectify(case, task, note="已按标准整改"):
    """Complete one of the open 整改 tasks (there is one per failed item) as the store manager."""
    case.seen.setdefault("rectify", []).append(task.data)
    done = case.world.attempt("manager_sh001", task.row.id, {
        "rectification_note": f"{task.data['finding_item']}：{note}", "rectified_date": "2026-11-06"})
    return sorted(t.element_id for t in done.open_tasks)


def rectify_all(case):
    for task in case.ready("rectify"):
        rectify(case, task)


def recheck(case, data=None):
    return case.complete("recheck", data, role="store_supervisor", store_code="SH001")


def test_an_inspection_with_every_item_passed_closes_at_once(start_case, start_data):
    passed = [{**row, "passed": True, "note": ""} for row in start_data[P]["checklist"]]
    case = start_case(P, checklist=passed)
    assert case.ready_ids() == [] and case.completed and case.outcomes == ["completed"]
    assert case.data()["average_score"] == 78.8


def test_each_failed_item_is_a_rectification_task_for_the_store_manager(start_case):
    case = start_case(P)
    assert case.ready_ids() == ["rectify", "rectify"]
    tasks = case.ready("rectify")
    assert {t.role for t in tasks} == {"store_manager"} and {t.store_code for t in tasks} == {"SH001"}
    shown = sorted((t.data["finding_area"], t.data["finding_item"], t.data["finding_note"]) for t in tasks)
    assert shown == [("image", "店员着装与仪容", "两名店员未佩戴工牌"),
                     ("stock", "仓库货品分区与标识", "仓库货品未按款号分区")]
    assert {t.data["rectify_by"] for t in tasks} == {"2026-11-09"}  # seven days from 2 November
    assert {t.row.due_at.isoformat()[:10] for t in tasks} == {"2026-11-09"}
    assert case.world.who_sees(tasks[0].row.id, P) == {"manager_sh001"}
    assert rectify(case, tasks[0]) == ["rectify"]  # the other item is still open
    assert rectify(case, tasks[1]) == ["recheck"]
    assert case.ready_ids() == ["recheck"]
    rows = case.ready_task("recheck").data["recheck_items"]
    assert sorted(r["item"] for r in rows) == ["仓库货品分区与标识", "店员着装与仪容"]
    assert all(r["rectification_note"] for r in rows)


def test_the_inspector_who_started_rechecks_and_all_passing_closes_the_case(start_case):
    case = start_case(P)
    rectify_all(case)
    task = case.ready_task("recheck")
    assert task.row.assignee == "supervisor_east"
    assert recheck(case) == []
    assert case.completed and case.outcomes == ["completed"]


def test_an_item_still_failing_goes_back_to_the_store_until_it_passes(start_case):
    case = start_case(P)
    rectify_all(case)

    def one_fails(data):
        rows = [{**r, "passed": True, "recheck_note": ""} for r in data["recheck_items"]]
        rows[0] = {**rows[0], "passed": False, "recheck_note": "仍有一名店员未佩戴工牌"}
        return {"recheck_items": rows, "recheck_date": "2026-11-10"}

    assert recheck(case, one_fails) == ["rectify"]
    again = case.ready_task("rectify").data
    assert again["finding_note"] == "仍有一名店员未佩戴工牌" and again["rectify_round"] == 2
    rectify_all(case)
    rows = case.ready_task("recheck").data["recheck_items"]
    assert [r["finding"] for r in rows] == ["仍有一名店员未佩戴工牌"]
    assert recheck(case) == [] and case.outcomes == ["completed"]


def test_a_failed_item_needs_its_problem_and_a_still_failing_one_its_reason(start_case, start_data):
    rows = start_data[P]["checklist"]
    with pytest.raises(InvalidData) as refused:
        start_case(P, checklist=[{k: v for k, v in rows[1].items() if k != "note"}])
    assert "checklist.0.note" in refused.value.fields
    case = start_case(P)
    rectify_all(case)
    task = case.ready_task("recheck")
    silent = [{**r, "passed": False} for r in task.data["recheck_items"]]
    fields = case.world.refused(InvalidData, "supervisor_east", task.row.id,
                                {"recheck_items": silent, "recheck_date": "2026-11-10"}).fields
    assert "recheck_items.0.recheck_note" in fields


def test_rechecked_rows_are_the_cases_own(start_case):
    case = start_case(P)
    rectify_all(case)
    task = case.ready_task("recheck")
    rows = [{**r, "item": "改写的检查项", "passed": True} for r in task.data["recheck_items"]]
    recheck(case, {"recheck_items": rows, "recheck_date": "2026-11-10"})
    assert {r["item"] for r in case.data()["recheck_items"]} == {"店员着装与仪容", "仓库货品分区与标识"}


@pytest.mark.parametrize("field, value", [
    ("checklist", []), ("store_code", "SH-1"), ("inspection_date", "2026-11-03"),
    ("checklist", [{"area": "smell", "item": "气味", "score": 80, "passed": True}]),
    ("checklist", [{"area": "display", "item": "橱窗", "score": 101, "passed": True}]),
])
def test_invalid_inspections_get_field_errors(start_case, field, value):
    with pytest.raises(InvalidData) as refused:
        start_case(P, **{field: value})
    assert any(f == field or f.startswith(field + ".") for f in refused.value.fields), refused.value.fields


def test_the_schedule_is_each_season_start_for_every_open_store(sqlite_world):
    with sqlite_world.sessions() as s:
        schedule = s.scalars(select(Schedule).where(Schedule.process_key == P)).one()
    assert (schedule.element_id, schedule.kind, schedule.rule) == (
        "start", "cycle", "R/2026-03-01T09:00:00+08:00/P3M")
    assert schedule.start_for == {"for": "stores", "status": "open", "plus_one": False}  # franchise too
    assert schedule.next_run.replace(tzinfo=timezone.utc) == DEC_1


def test_a_season_start_opens_an_inspection_per_open_store_for_the_trainer(sqlite_world):
    cases = season_start(sqlite_world)
    assert sorted(cases) == ["HZ001", "NJ01", "NJ02", "SH001", "SH002"]  # SH003 is not open yet
    for code, case in cases.items():
        task = case.ready_task("inspect")
        assert (task.role, task.row.assignee, task.store_code) == ("trainer", "trainer_sun", code)
        assert task.data["scheduled_period"] == "2026-12-01T09:00:00+08:00"
        assert sqlite_world.row(case.id)["title"] == f"{code}店铺巡检 · 2026-12-01"
        assert "checklist" not in task.data
    assert sqlite_world.who_sees(cases["NJ01"].ready_task("inspect").row.id, P) == {"trainer_sun"}


def test_the_trainer_inspects_the_store_rectifies_and_the_trainer_rechecks(sqlite_world):
    case = season_start(sqlite_world)["SH001"]
    assert case.complete("inspect", role="trainer") == ["rectify", "rectify"]
    assert case.data()["inspected_by"] == "trainer_sun" and case.data()["average_score"] == 78.8
    for task in case.ready("rectify"):
        assert task.data["rectify_by"] == "2026-12-08"
        case.world.attempt("manager_sh001", task.row.id, {"rectification_note": "已整改",
                                                          "rectified_date": "2026-12-03"})
    task = case.ready_task("recheck")
    assert task.row.assignee == "trainer_sun"  # who inspected, not the system that started the case
    rows = [{**r, "passed": True} for r in task.data["recheck_items"]]
    done = case.world.attempt("trainer_sun", task.row.id,
                              {"recheck_items": rows, "recheck_date": "2026-12-05"})
    assert (done.status, done.outcome) == ("completed", "completed")


def test_a_season_inspection_is_dated_within_its_season(sqlite_world):
    case = season_start(sqlite_world)["SH002"]
    task = case.ready_task("inspect")
    early = case.sample("inspect", inspection_date="2026-11-30")
    assert "inspection_date" in case.world.refused(InvalidData, "trainer_sun", task.row.id, early).fields
    late = case.sample("inspect", inspection_date="2026-12-02")  # tomorrow
    assert "inspection_date" in case.world.refused(InvalidData, "trainer_sun", task.row.id, late).fields
    store = {**case.sample("inspect"), "store_code": "SH001"}  # the case's store, whatever is sent
    case.world.attempt("trainer_sun", task.row.id, store)
    assert case.data()["store_code"] == "SH002"


def test_a_case_started_with_its_checklist_skips_the_inspection_step(start_case):
    case = start_case(P)
    assert case.ready_ids() == ["rectify", "rectify"]
    assert "checklist_given" in case.reached and "inspected" in case.reached
    assert case.data()["inspected_by"] == "supervisor_east"
