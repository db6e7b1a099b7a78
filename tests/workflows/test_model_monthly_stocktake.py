"""月度盘点, walked path by path: a count, the merchandiser's reconciliation with its gains and losses,
a recount, the director's approval of a large loss (and a refusal back to reconciliation), finance's
adjustment; and the schedule starting one case per open store and one for the warehouse."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine.errors import InvalidData
from engine.models import ProcessInstance, Schedule
from engine.runtime import run_schedules

P = "monthly_stocktake"
#: 02:00 on 1 December 2026 in Shanghai, the first period after the world's deploy (2 November).
DEC_1 = datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)


def _count(case, **changes):
    return case.complete("store_count", {**case.sample("store_count"), **changes}, role="store_manager",
                         store_code="SH001")


def test_a_small_difference_is_reconciled_and_adjusted_without_the_director(start_case):
    case = start_case(P)
    count = case.ready_task("store_count", "SH001")
    assert count.data["count_deadline"] == "2026-11-05T09:00:00+08:00"  # overdue after 3 days
    assert count.row.due_at is not None
    assert _count(case) == ["reconcile"]
    lines = case.ready_task("reconcile").data["reconcile_lines"]
    assert [(r["sku"], r["counted_quantity"], r["book_quantity"]) for r in lines] == [
        ("W26-CT-3005", 18, 18), ("W26-KN-2031", 41, 41), ("W26-PT-1102", 30, 30)]
    assert case.complete("reconcile", role="merchandiser") == ["adjust_books"]
    books = case.ready_task("adjust_books").data
    assert [(d["sku"], d["kind"], d["quantity"], d["amount"]) for d in books["difference_lines"]] == [
        ("W26-CT-3005", "loss", 2, 1240.0), ("W26-KN-2031", "gain", 1, 150.0)]
    assert (books["loss_amount"], books["gain_amount"], books["net_loss_amount"]) == (1240.0, 150.0, 1090.0)
    assert case.complete("adjust_books", role="finance") == []
    assert case.outcomes == ["adjusted"] and case.completed


def _big_loss(data):
    lines = [dict(r) for r in data["reconcile_lines"]]
    lines[0]["book_quantity"] = lines[0]["counted_quantity"] + 10  # 10 coats × 620 = 6200 元
    lines[0]["difference_reason"] = "原因待查"
    return {"reconcile_lines": lines, "recount": False}


def test_a_large_loss_needs_the_director_who_may_send_it_back(start_case):
    case = start_case(P)
    _count(case)
    assert case.complete("reconcile", _big_loss, role="merchandiser") == ["director_approval"]
    sheet = case.ready_task("director_approval").data
    assert sheet["net_loss_amount"] == 6200.0
    assert [d["sku"] for d in sheet["difference_lines"]] == ["W26-CT-3005"]
    with pytest.raises(InvalidData) as refused:
        case.complete("director_approval", {"approved": False}, role="ops_director")
    assert "director_comment" in refused.value.fields
    back = case.complete("director_approval", {"approved": False, "director_comment": "请复核大衣账面"},
                         role="ops_director")
    assert back == ["reconcile"]
    assert case.ready_task("reconcile").data["reconcile_lines"][0]["book_quantity"] == 28  # kept
    assert case.complete("reconcile", _big_loss, role="merchandiser") == ["director_approval"]
    assert case.complete("director_approval", role="ops_director") == ["adjust_books"]
    assert case.complete("adjust_books", role="finance") == []
    assert case.outcomes == ["adjusted"]


def test_the_merchandiser_may_ask_for_a_recount(start_case):
    case = start_case(P)
    _count(case)
    with pytest.raises(InvalidData) as refused:
        case.complete("reconcile", lambda d: {"reconcile_lines": d["reconcile_lines"], "recount": True},
                      role="merchandiser")
    assert "reconcile_comment" in refused.value.fields
    again = case.complete("reconcile", lambda d: {"reconcile_lines": d["reconcile_lines"], "recount": True,
                                                  "reconcile_comment": "开衫数量不对，请复盘"},
                          role="merchandiser")
    assert again == ["store_count"]
    assert _count(case, count_lines=[{"sku": "W26-KN-2031", "name": "羊毛针织开衫", "counted_quantity": 40,
                                      "unit_cost": 150.0}]) == ["reconcile"]
    assert [r["sku"] for r in case.ready_task("reconcile").data["reconcile_lines"]] == ["W26-KN-2031"]


def test_the_count_sheet_is_checked(start_case):
    case = start_case(P)
    fields = case.refused("store_count", role="store_manager", store_code="SH001", count_lines=[])
    assert "count_lines" in fields


def test_the_schedule_starts_one_count_per_open_store_and_one_for_the_warehouse(sqlite_world):
    world = sqlite_world
    with world.sessions() as s:
        schedule = s.scalars(select(Schedule).where(Schedule.process_key == P)).one()
        assert (schedule.next_run, schedule.paused) == (DEC_1, False)
    world.clock.set(DEC_1)
    assert run_schedules(world.engine, world.sessions) == 6  # SH001, SH002, HZ001, NJ01, NJ02, the warehouse
    with world.sessions() as s:
        cases = s.scalars(select(ProcessInstance).where(ProcessInstance.process_key == P)
                          .order_by(ProcessInstance.id)).all()
        assert [c.store_code for c in cases] == ["HZ001", "NJ01", "NJ02", "SH001", "SH002", None]
        assert [c.title for c in cases][-2:] == ["SH002月度盘点", "月度盘点"]
        assert {c.business_key[:2] for c in cases} == {"ST"} and {c.started_by_id for c in cases} == {None}
    assert world.open_ids(cases[0].id) == ["store_count"]
    assert world.open_ids(cases[-1].id) == ["warehouse_count"]
    assert run_schedules(world.engine, world.sessions) == 0
