"""月度盘点 through the engine as the demo users: the schedule's cases, each count seen by the store's
manager alone (the warehouse's by the warehouse keeper), overdue after 3 days, reconciliation by the
merchandiser, the director's approval of a large loss and finance's adjustment. `world.complete` checks
at every step who sees the task and that everyone else is refused."""
import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from engine.errors import InvalidData, PermissionDenied
from engine.models import HumanTask, ProcessInstance
from engine.runtime import import_rows, remind_due, run_schedules

P = "monthly_stocktake"
DEC_1 = datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)  # 02:00 on 1 December in Shanghai


def _scheduled(world) -> dict[str, int]:
    world.clock.set(DEC_1)
    assert run_schedules(world.engine, world.sessions) == 6
    with world.sessions() as s:
        return {c.store_code or "warehouse": c.id for c in s.scalars(
            select(ProcessInstance).where(ProcessInstance.process_key == P))}


def test_only_a_merchandiser_starts_a_count_by_hand(world):
    for who in ("manager_sh001", "warehouse_qian", "finance_wu"):
        with pytest.raises(PermissionDenied):
            world.start(who, P)
    case = world.start("merch_zhao", P)
    assert (case.business_key, case.store_code, case.title) == ("ST-20261102-00001", "SH001", "SH001月度盘点")


@pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_scheduled_store_count_to_the_adjusted_books(world):
    cases = _scheduled(world)
    assert set(cases) == {"SH001", "SH002", "HZ001", "NJ01", "NJ02", "warehouse"}
    count = world.task(cases["SH001"], "store_count")
    assert world.who_sees(count.id) == {"manager_sh001"}
    assert count.due_at == DEC_1 + timedelta(hours=72)
    assert world.case_data(count.id)["count_deadline"] == "2026-12-04T02:00:00+08:00"
    world.complete("manager_sh001", count)
    reconcile = world.task(cases["SH001"], "reconcile")
    assert world.who_sees(reconcile.id) == {"merch_zhao"}
    world.complete("merch_zhao", reconcile)
    books = world.task(cases["SH001"], "adjust_books")
    assert world.case_data(books.id)["net_loss_amount"] == 1090.0
    done = world.complete("finance_wu", books)
    assert (done.status, done.outcome) == ("completed", "adjusted")


def test_the_warehouse_counts_its_own_and_a_large_loss_goes_to_the_director(world):
    cases = _scheduled(world)
    count = world.task(cases["warehouse"], "warehouse_count")
    assert world.who_sees(count.id) == {"warehouse_qian"}
    world.complete("warehouse_qian", count)

    def big_loss(data):
        lines = [dict(r) for r in data["reconcile_lines"]]
        lines[0]["book_quantity"] = lines[0]["counted_quantity"] + 10
        return {"reconcile_lines": lines, "recount": False, "reconcile_comment": "大衣短少10件"}
    world.complete("merch_zhao", world.task(cases["warehouse"], "reconcile"), big_loss)
    approval = world.task(cases["warehouse"], "director_approval")
    assert world.who_sees(approval.id) == {"director"}
    world.complete("director", approval)
    done = world.complete("finance_wu", world.task(cases["warehouse"], "adjust_books"))
    assert done.outcome == "adjusted"


def test_an_unfinished_count_is_overdue_after_3_days(world):
    cases = _scheduled(world)
    world.clock.set(DEC_1 + timedelta(hours=73))
    told = remind_due(world.engine, world.sessions)
    assert told
    with world.sessions() as s:
        overdue = s.scalars(select(HumanTask.instance_id).where(HumanTask.element_id == "store_count",
                                                                 HumanTask.due_at <= world.clock())).all()
    assert sorted(overdue) == sorted(v for k, v in cases.items() if k != "warehouse")


SHEET = ("款号（SKU）,品名,实盘数量（件）,成本单价（元）\n"
         "W26-CT-3005,双面羊绒大衣,18,620\nW26-KN-2031,羊毛针织开衫,41,150\n").encode("gb18030")


def test_the_count_sheet_is_read_into_the_counters_draft(world):
    case = world.start("merch_zhao", P)
    count = world.task(case.id, "store_count")
    before = world.dump(case.id)
    for who in ("manager_sh002", "warehouse_qian"):
        with pytest.raises(PermissionDenied):
            world.run(who, lambda s, user: import_rows(world.engine, s, user, count.id, "count_lines", SHEET))
    assert world.dump(case.id) == before
    read = world.run("manager_sh001",
                     lambda s, user: import_rows(world.engine, s, user, count.id, "count_lines", SHEET))
    assert read == 2
    draft = world.detail("manager_sh001", count.id).draft
    assert draft["count_lines"][1] == {"sku": "W26-KN-2031", "name": "羊毛针织开衫", "counted_quantity": 41,
                                       "unit_cost": 150}
    done = world.attempt("manager_sh001", count.id, {**draft, "count_date": "2026-11-02"})
    assert [t.element_id for t in done.open_tasks] == ["reconcile"]


def _workbook(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("world", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_the_count_sheet_from_excel_and_a_damaged_one_changes_nothing(world):
    case = world.start("merch_zhao", P)
    count = world.task(case.id, "store_count")
    before = world.dump(case.id)
    for bad in (b"PK\x03\x04broken", _workbook(["款号（SKU）", "实盘数量（件）"], ["W26-CT-3005", "十八"])):
        with pytest.raises(InvalidData):
            world.run("manager_sh001", lambda s, user: import_rows(world.engine, s, user, count.id,
                                                                   "count_lines", bad, "盘点表.xlsx"))
        assert world.dump(case.id) == before
    sheet = _workbook(["款号（SKU）", "品名", "实盘数量（件）", "成本单价（元）"],
                      ["W26-CT-3005", "双面羊绒大衣", 18, 620], ["W26-KN-2031", "羊毛针织开衫", 41, 150.5])
    read = world.run("manager_sh001", lambda s, user: import_rows(world.engine, s, user, count.id,
                                                                  "count_lines", sheet, "盘点表.xlsx"))
    assert read == 2
    draft = world.detail("manager_sh001", count.id).draft
    assert draft["count_lines"][1] == {"sku": "W26-KN-2031", "name": "羊毛针织开衫", "counted_quantity": 41,
                                       "unit_cost": 150.5}
    done = world.attempt("manager_sh001", count.id, {**draft, "count_date": "2026-11-02"})
    assert [t.element_id for t in done.open_tasks] == ["reconcile"]
