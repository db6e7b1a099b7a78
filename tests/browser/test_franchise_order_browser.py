"""加盟商订货 end to end in chromium on a 390 px phone, each step by its demo user reached from 待办: 冯老板
(NJ01) orders two lines; 李客服 takes the credit check from customer service's pool (over the limit);
吴财务 releases it in one tap; 赵商品 allocates part of it (the rest back-ordered); 钱仓管 ships
through the called 发货; 冯老板 receives two coats short (少货); the warehouse confirms one; finance
issues the credit note. Nobody else is offered a step; the case page shows the path and the amounts."""
from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import expect

from engine.clock import FrozenClock

from .conftest import LiveServer
from .handoff_server import own_server
from .handoff_walks import case_state as _case
from .handoff_walks import from_todo as _from_todo
from .handoff_walks import nobody_else_sees as _nobody_else_sees
from .handoff_walks import only_step as _step
from .handoff_walks import open_steps as _open_steps

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def live_server(request, serve, tmp_path_factory) -> Iterator[LiveServer]:
    """A server of this module's own, on SQLite and on PostgreSQL."""
    with own_server(request, serve, tmp_path_factory.mktemp("order"), FrozenClock(), "order") as server:
        yield server


def test_a_franchise_order_from_order_to_credit_note_on_the_phone(live_server, pages, phone, screenshot_dir):
    url = live_server.url
    pages.sign_in(phone, "franchisee_nj01")
    phone.goto(f"{url}/processes/franchise_order")
    phone.select_option("#f-store_code", "NJ01")
    for row, (sku, name, colour_size, quantity, price) in enumerate((
            ("W26-KN-2031", "羊毛针织开衫", "驼色/M", "30", "399"),
            ("W26-CT-3005", "双面羊绒大衣", "黑色/L", "10", "1599"))):
        if row:
            phone.click("#f-items [data-add-row]")
        phone.fill(f"#f-items-{row}-sku", sku)
        phone.fill(f"#f-items-{row}-name", name)
        phone.fill(f"#f-items-{row}-colour_size", colour_size)
        phone.fill(f"#f-items-{row}-quantity", quantity)
        phone.fill(f"#f-items-{row}-unit_price", price)
    phone.fill("#f-order_note", "冬季第二批补货")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "order-start-390.png"), full_page=True)
    phone.click("#start-button")
    expect(phone.locator(".alert-success")).to_be_visible()
    key = "FO-" + phone.locator(".alert-success").inner_text().split("FO-", 1)[1].split()[0].rstrip("。），)")

    # customer service's pool: 李客服 takes the check from 待办 (over the limit: 27 960 + 40 000 > 50 000)
    task_id = _step(live_server, key, "cs_check", None)
    _nobody_else_sees(phone, pages, url, key, "manager_sh001", "merch_zhao", "finance_wu", "warehouse_qian")
    pages.sign_in(phone, "cs_li")
    _from_todo(phone, url, key, task_id)
    expect(phone.locator("main")).to_contain_text("双面羊绒大衣")
    phone.fill("#f-credit_limit", "50000")
    phone.fill("#f-outstanding_balance", "40000")
    pages.fits(phone)
    phone.click("#bar-choice-true")  # 有效, from the bar at the foot of the phone's screen
    expect(phone.locator(".alert-success")).to_be_visible()

    # 吴财务 releases the order in one tap from 待办
    task_id = _step(live_server, key, "finance_decision", "finance_wu")
    _nobody_else_sees(phone, pages, url, key, "cs_wang", "merch_zhao", "manager_sh001")
    pages.sign_in(phone, "finance_wu")
    phone.goto(f"{url}/tasks?q={key}")
    phone.click(f"#task-{task_id}-choice-true")
    expect(phone.locator(f'[data-task-id="{task_id}"]')).to_have_count(0)

    # 赵商品 allocates 20 of the 30 cardigans: 10 back-ordered
    task_id = _step(live_server, key, "allocate", "merch_zhao")
    _nobody_else_sees(phone, pages, url, key, "warehouse_qian", "finance_wu", "cs_li")
    pages.sign_in(phone, "merch_zhao")
    _from_todo(phone, url, key, task_id)
    phone.fill("#f-allocation_items-0-allocated_quantity", "20")
    phone.fill("#f-allocation_note", "开衫库存不足，缺10件补货")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "order-allocate-390.png"), full_page=True)
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()

    # the called 发货: 钱仓管 ships what was allocated
    task_id = _step(live_server, key, "ship_from_warehouse", "warehouse_qian")
    _nobody_else_sees(phone, pages, url, key, "merch_zhao", "franchisee_nj01", "manager_sh001")
    pages.sign_in(phone, "warehouse_qian")
    _from_todo(phone, url, key, task_id)
    expect(phone.locator("#f-shipped_items-0-shipped_quantity")).to_have_value("20")
    phone.fill("#f-logistics_company", "德邦物流")
    phone.fill("#f-logistics_no", "DB20261104")
    phone.fill("#f-shipped_date", "2026-11-04")
    pages.fits(phone)
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()

    # 冯老板 receives 8 of the 10 coats: a 少货 claim
    task_id = _step(live_server, key, "confirm_receipt", "franchisee_nj01")
    _nobody_else_sees(phone, pages, url, key, "warehouse_qian", "cs_li", "manager_sh001")
    pages.sign_in(phone, "franchisee_nj01")
    _from_todo(phone, url, key, task_id)
    expect(phone.locator("main")).to_contain_text("DB20261104")
    phone.fill("#f-received_items-1-received_quantity", "8")
    phone.fill("#f-received_items-1-line_note", "外箱破损，少2件大衣")
    phone.fill("#f-received_date", "2026-11-06")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "order-receipt-390.png"), full_page=True)
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()

    # the warehouse checks the packing list: one coat short, not two
    task_id = _step(live_server, key, "warehouse_check", "warehouse_qian")
    _nobody_else_sees(phone, pages, url, key, "franchisee_nj01", "finance_wu", "merch_zhao")
    pages.sign_in(phone, "warehouse_qian")
    _from_todo(phone, url, key, task_id)
    expect(phone.locator("main")).to_contain_text("外箱破损，少2件大衣")
    phone.fill("#f-shortage_items-0-confirmed_quantity", "1")
    phone.fill("#f-check_note", "装箱单核对：少发1件")
    pages.fits(phone)
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()

    # finance issues the credit note for the one coat
    task_id = _step(live_server, key, "credit_note", "finance_wu")
    _nobody_else_sees(phone, pages, url, key, "warehouse_qian", "franchisee_nj01", "cs_li")
    pages.sign_in(phone, "finance_wu")
    _from_todo(phone, url, key, task_id)
    expect(phone.locator("main")).to_contain_text("1,599")
    phone.fill("#f-credit_amount", "1599")
    phone.fill("#f-credit_note_no", "CN-2026-1110")
    phone.fill("#f-credit_date", "2026-11-10")
    pages.fits(phone)
    phone.click("#complete-button")
    expect(phone.locator(".alert-success")).to_be_visible()
    assert _open_steps(live_server, key) == []
    assert _case(live_server, key) == ("completed", "credited")

    # the case page: the path taken and the amounts
    pages.sign_in(phone, "franchisee_nj01")
    phone.goto(f"{url}/cases?q={key}")
    expect(phone.locator("[data-case-id]")).to_have_count(1)
    phone.locator("[data-case-id] .cell-title a").click()
    expect(phone.locator("#case-header")).to_have_attribute("data-status", "completed")
    timeline = phone.locator("#timeline")
    for step in ("客服审核订单", "财务信用审批", "商品配货", "仓库拣货发货", "确认收货", "仓库核实少货",
                 "财务开具红字单"):
        expect(timeline).to_contain_text(step)
    data = phone.locator("#case-data")
    for amount in ("27,960", "1,599"):
        expect(data).to_contain_text(amount)
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "order-case-390.png"), full_page=True)
