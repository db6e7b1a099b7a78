"""月度盘点 end to end in chromium on a 390 px phone: the schedule fires on 1 December (the background
runner, on a server of this module's own whose clock is moved there), one case per open store and one
for the warehouse; 张店长 opens SH001's count from 待办, reads the count sheet (CSV) into the form and
adds a line by hand; 赵商品 asks for a recount, then reconciles it against book stock (10 coats lost:
6 200 元, over the threshold); 陈总监 approves the 盘点损溢表; 吴财务 adjusts the books. Nobody else is
offered a step."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.clock import FrozenClock

from .conftest import LiveServer
from .handoff_server import own_server
from .handoff_walks import case_state as _case
from .handoff_walks import from_todo as _from_todo
from .handoff_walks import nobody_else_sees as _nobody_else_sees
from .handoff_walks import only_step as _step
from .handoff_walks import open_steps as _open_steps

pytestmark = pytest.mark.browser

DEC_1 = datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)  # 02:00 on 1 December, Beijing time
SHEET = ("款号（SKU）,品名,实盘数量（件）,成本单价（元）\n"
         "W26-CT-3005,双面羊绒大衣,28,620\n"
         "W26-KN-2031,羊毛针织开衫,41,150\n").encode("utf-8-sig")


@pytest.fixture(scope="module")
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def live_server(request, serve, tmp_path_factory, clock) -> Iterator[LiveServer]:
    """A server of this module's own on `clock`: moving it to 1 December leaves the shared one alone."""
    with own_server(request, serve, tmp_path_factory.mktemp("stocktake"), clock, "stocktake") as server:
        yield server


def _scheduled_cases(live_server: LiveServer) -> dict[str | None, str]:
    """The business key of each stocktake case, by store (None: the warehouse)."""
    from engine.models import ProcessInstance
    from webapp.extensions import db
    with live_server.app.app_context():
        return {store: key for store, key in db.session.execute(
            select(ProcessInstance.store_code, ProcessInstance.business_key)
            .where(ProcessInstance.process_key == "monthly_stocktake"))}


def test_a_scheduled_stocktake_counted_from_a_sheet_reconciled_approved_and_adjusted(
        live_server, pages, phone: Page, clock, tmp_path, screenshot_dir):
    from webapp.background import background_runner
    url = live_server.url
    clock.set(DEC_1)
    assert background_runner(live_server.app).run_once()["schedules"] == 6
    cases = _scheduled_cases(live_server)
    assert set(cases) == {"SH001", "SH002", "HZ001", "NJ01", "NJ02", None}
    key = cases["SH001"]

    # 张店长 finds SH001's count in 待办 (and only it); the other counters do not see it
    task_id = _step(live_server, key, "store_count", "manager_sh001")
    _nobody_else_sees(phone, pages, url, key, "manager_sh002", "manager_hz001", "warehouse_qian",
                      "merch_zhao")
    pages.sign_in(phone, "manager_sh001")
    phone.goto(f"{url}/tasks")
    expect(phone.locator("[data-task-id]")).to_have_count(1)
    _from_todo(phone, url, key, task_id)
    sheet = tmp_path / "盘点表.csv"
    sheet.write_bytes(SHEET)
    phone.set_input_files("#import-file-count_lines", str(sheet))
    phone.locator("#import-count_lines button[type=submit]").click()
    expect(phone.locator("#f-count_lines-1-sku")).to_have_value("W26-KN-2031")
    expect(phone.locator("#f-count_lines-0-counted_quantity")).to_have_value("28")
    phone.click("#f-count_lines [data-add-row]")  # one more line counted by hand
    phone.fill("#f-count_lines-2-sku", "W26-PT-1102")
    phone.fill("#f-count_lines-2-name", "直筒西裤")
    phone.fill("#f-count_lines-2-counted_quantity", "30")
    phone.fill("#f-count_lines-2-unit_cost", "110")
    phone.fill("#f-count_date", "2026-12-01")
    phone.fill("#f-counter_note", "闭店后盘点，两人复核")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "stocktake-count-390.png"), full_page=True)
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()

    # 赵商品 enters the book stock: 10 coats fewer counted than booked; first he asks for a recount
    # (需要复盘, the red choice, asks why before it sends the count back)
    task_id = _step(live_server, key, "reconcile", "merch_zhao")
    _nobody_else_sees(phone, pages, url, key, "manager_sh001", "director", "finance_wu")
    pages.sign_in(phone, "merch_zhao")
    _from_todo(phone, url, key, task_id)
    expect(phone.locator("main")).to_contain_text("直筒西裤")
    phone.fill("#f-reconcile_lines-0-book_quantity", "38")
    expect(phone.locator("#bar-choice-false")).to_contain_text("差异已核对")
    phone.click("#bar-choice-true")  # 需要复盘
    expect(phone.locator("#bar-note-true")).to_be_focused()
    phone.fill("#bar-note-true", "大衣差10件，请复盘")
    phone.click("#bar-confirm-true")
    expect(phone.locator(".alert-success")).to_be_visible()

    # 张店长 recounts: still 28 coats
    task_id = _step(live_server, key, "store_count", "manager_sh001")
    pages.sign_in(phone, "manager_sh001")
    _from_todo(phone, url, key, task_id)
    expect(phone.locator("main")).to_contain_text("大衣差10件，请复盘")
    expect(phone.locator("#f-count_lines-2-sku")).to_have_value("W26-PT-1102")  # the first count, kept
    phone.fill("#f-count_date", "2026-12-02")
    phone.fill("#f-counter_note", "复盘：大衣仍为28件")
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()

    # the difference stands: 10 coats, 6 200 元 at cost; 差异已核对 goes ahead in one tap
    task_id = _step(live_server, key, "reconcile", "merch_zhao")
    pages.sign_in(phone, "merch_zhao")
    _from_todo(phone, url, key, task_id)
    for row, book in enumerate(("38", "41", "30")):
        phone.fill(f"#f-reconcile_lines-{row}-book_quantity", book)
    phone.fill("#f-reconcile_lines-0-difference_reason", "疑似被盗，已报警")
    phone.fill("#f-reconcile_comment", "差异已与店长核实")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "stocktake-reconcile-390.png"), full_page=True)
    phone.click("#bar-choice-false")  # 差异已核对
    expect(phone.locator(".alert-success")).to_be_visible()

    # 陈总监 reads the 盘点损溢表 and approves it from the bar
    task_id = _step(live_server, key, "director_approval", "director")
    _nobody_else_sees(phone, pages, url, key, "merch_zhao", "finance_wu", "manager_sh001")
    pages.sign_in(phone, "director")
    _from_todo(phone, url, key, task_id)
    main = phone.locator("main")
    expect(main).to_contain_text("盘点损溢表")
    expect(main).to_contain_text("6,200")
    expect(main).to_contain_text("疑似被盗，已报警")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "stocktake-director-390.png"), full_page=True)
    phone.click("#bar-choice-true")
    expect(phone.locator(".alert-success")).to_be_visible()

    # 吴财务 adjusts the books
    task_id = _step(live_server, key, "adjust_books", "finance_wu")
    _nobody_else_sees(phone, pages, url, key, "director", "merch_zhao", "manager_sh001")
    pages.sign_in(phone, "finance_wu")
    _from_todo(phone, url, key, task_id)
    phone.fill("#f-adjustment_no", "TZ-2026-1203")
    phone.fill("#f-adjusted_date", "2026-12-03")
    pages.fits(phone)
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()
    assert _open_steps(live_server, key) == []
    assert _case(live_server, key) == ("completed", "adjusted")
    assert [e for (_t, e, _h) in _open_steps(live_server, cases["SH002"])] == ["store_count"]  # untouched
