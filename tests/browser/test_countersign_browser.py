"""会签 in chromium: a store-opening plan above 1,000,000 waits on the director (desktop) and on
finance (phone); each finds their own task in their list, nobody else's, and approves it there."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

OPENING = {"store_code": "SH003", "store_name": "上海静安寺店", "city": "上海",
           "address": "上海市静安区南京西路1788号1层", "area_sqm": 180, "store_type": "direct",
           "planned_opening_date": "2099-12-18", "budget": 1_500_000}


def approve_own_task(page: Page, pages, url: str, username: str, key: str) -> None:
    pages.sign_in(page, username)
    page.goto(f"{url}/tasks?scope=all&q={key}")
    rows = page.locator("[data-task-id]")
    expect(rows).to_have_count(1)  # their own approval, not the other approver's
    expect(rows).to_contain_text("开业方案会签")
    pages.fits(page)
    rows.locator("a", has_text="开业方案会签").click()
    expect(page.locator("main")).to_contain_text("1,500,000")
    page.fill("#f-countersign_comment", "同意")
    pages.fits(page)
    phone = page.viewport_size["width"] < 768
    if phone:  # the bottom bar carries the decision; the form does not repeat it
        expect(page.locator("#choice-true")).to_be_hidden()
    page.click("#bar-choice-true" if phone else "#choice-true")  # 批准: the decision completes the step
    expect(page.locator(".alert-success")).to_be_visible()


def test_each_approver_approves_their_own_countersign(live_server, pages, desktop, phone, screenshot_dir):
    case = live_server.start_case("store_opening", "supervisor_east", OPENING)
    key = case["business_key"]
    assert sorted(t["assignee"] for t in case["open_tasks"]) == ["director", "finance_wu"]

    pages.sign_in(desktop, "supervisor_east")  # the starter sees the case, not the approvals
    desktop.goto(f"{live_server.url}/tasks?scope=all&q={key}")
    expect(desktop.locator("#no-tasks")).to_be_visible()

    approve_own_task(phone, pages, live_server.url, "finance_wu", key)
    phone.screenshot(path=screenshot_dir / "countersign-finance-phone.png", full_page=True)
    approve_own_task(desktop, pages, live_server.url, "director", key)
    expect(desktop.locator(".alert-success")).to_contain_text(re.compile("首批货品配置|新员工培训|下一步"))
    desktop.screenshot(path=screenshot_dir / "countersign-director-desktop.png", full_page=True)
