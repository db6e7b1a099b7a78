"""The employee app in chromium, as the demo users: a complaint registered by cs_li reaches the
right store manager (SH001's only one, directly) and nobody else, a wrong form is refused with
messages beside the fields, the right one completes and the case moves on; the language switch;
the phone layout; live refresh and bulk claim. Screenshots go to test-output/screenshots/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

COMPLAINT = {"customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好，等了很久没人理。",
             "amount_claimed": 0}


def login(page: Page, server, username: str) -> None:
    page.goto("about:blank")  # the last page's scripts stop before its cookies go
    page.context.clear_cookies()
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", "demo123")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/tasks"))


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"page is {width}px wide in a {viewport}px viewport"


def switch_on_phone(page: Page) -> None:
    """On a phone the language switch sits in the collapsed menu."""
    page.click(".navbar-toggler")
    expect(page.locator("#nav-menu")).to_have_class(re.compile(r"\bshow\b"))  # opened, not still sliding
    with page.expect_navigation():
        page.click("#language-switch")


def task_rows(page: Page) -> list[str]:
    return page.locator("[data-task-id]").evaluate_all("rows => rows.map(r => r.dataset.taskId)")


def test_complaint_from_registration_to_follow_up(live_server, desktop, screenshot_dir):
    page = desktop
    # cs_li registers the complaint through the start form
    login(page, live_server, "cs_li")
    page.click("text=发起")
    page.click("#start-complaint_handling")
    page.fill("#f-customer_name", "周女士")
    page.fill("#f-customer_phone", "13900001111")
    page.select_option("#f-store_code", "SH001")
    page.click("label[for=f-channel-1]")
    page.click("label[for=f-category-2]")  # 服务
    page.fill("#f-description", "试衣间排队半小时无人处理，店员态度冷淡。")
    page.click("#start-button")
    expect(page.locator(".alert-success")).to_contain_text("已发起客户投诉处理")
    key = re.search(r"CP-\d{8}-\d{5}", page.locator(".alert-success").inner_text()).group(0)

    # it reaches SH001's only store manager directly, in her 待办, and nobody else
    for outsider in ("manager_sh002", "cs_wang", "merch_zhao"):
        login(page, live_server, outsider)
        page.goto(f"{live_server.url}/tasks?q={key}")
        expect(page.locator("#no-tasks")).to_be_visible()
    login(page, live_server, "manager_sh001")
    page.goto(f"{live_server.url}/tasks?q={key}")
    row = page.locator("[data-task-id]", has_text=key)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("投诉调查与处理方案")
    expect(row.locator(".claimable-mark")).to_have_count(0)  # hers already, nothing to claim
    page.goto(f"{live_server.url}/tasks")
    page.screenshot(path=screenshot_dir / "tasks-list-zh-desktop.png", full_page=True)

    # a wrong form is refused with messages beside the fields
    page.goto(f"{live_server.url}/tasks?q={key}")
    page.locator("[data-task-id] a", has_text="投诉调查与处理方案").click()
    expect(page.locator("#claim-button")).to_have_count(0)
    expect(page.locator("#task-holder")).to_contain_text("张店长")
    page.fill("#f-compensation_amount", "很多")
    page.fill("#f-root_cause", "午间人手不足")
    page.click("#complete-button")
    expect(page.locator("#f-findings-error")).to_have_text(re.compile("此项为必填项"))
    expect(page.locator("#f-compensation_amount-error")).to_have_text(re.compile("请输入数字"))
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#f-findings")).to_be_focused()  # the first error, once app.js has run
    expect(page.locator("#f-root_cause")).to_have_value("午间人手不足")
    page.screenshot(path=screenshot_dir / "task-page-zh-desktop.png", full_page=True)

    # the right form completes and the case moves on to customer service
    page.fill("#f-findings", "顾客反映属实")
    page.select_option("#f-resolution_type", "apology")
    page.fill("#f-compensation_amount", "0")
    page.fill("#f-resolution_plan", "店长电话致歉，调整午间排班")
    page.click("#complete-button")
    expect(page.locator(".alert-success")).to_contain_text("下一步：“客户回访”")
    login(page, live_server, "cs_wang")
    page.goto(f"{live_server.url}/tasks?q={key}")  # two agents: it waits in their 待办, marked to claim
    followup = page.locator("[data-task-id]", has_text="客户回访")
    expect(followup).to_have_count(1)
    expect(followup.locator(".claimable-mark")).to_have_count(1)


def test_language_switch_turns_the_pages_english(live_server, desktop, screenshot_dir):
    case = live_server.start_case("complaint_handling", "cs_li", {**COMPLAINT, "customer_name": "English"})
    page = desktop
    login(page, live_server, "manager_sh002")
    page.goto(f"{live_server.url}/tasks")
    expect(page.locator("h1")).to_have_text("我的待办")
    page.click("#language-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("My tasks")
    expect(page.locator("nav.navbar")).to_contain_text("Start")
    page.screenshot(path=screenshot_dir / "tasks-list-en-desktop.png", full_page=True)
    live_server.start_case("complaint_handling", "cs_li", {**COMPLAINT, "store_code": "SH002"})
    page.goto(f"{live_server.url}/tasks")
    page.locator("[data-task-id] a").first.click()
    expect(page.locator("#task-title")).to_contain_text("Investigate and propose resolution")
    expect(page.locator("#form-heading")).to_be_visible()
    expect(page.locator("label[for=f-findings]")).to_contain_text("Findings")
    page.screenshot(path=screenshot_dir / "task-page-en-desktop.png", full_page=True)
    page.click("#language-switch")  # back to Chinese for the other tests
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert case["business_key"]


def test_phone_layout_has_no_horizontal_scroll(live_server, phone, screenshot_dir):
    case = live_server.start_case("product_return", "franchisee_nj01", {
        "store_code": "NJ01", "return_type": "quality",
        "reason": "面料起球，顾客退货较多，需要整批退回检验。",
        "items": [{"sku": "SKU-1001", "name": "男士牛津纺长袖衬衫", "quantity": 5, "unit_price": 199},
                  {"sku": "SKU-2002", "name": "女士连衣裙", "quantity": 2, "unit_price": 399}]})
    page = phone
    login(page, live_server, "cs_li")
    for language in ("zh", "en"):
        page.goto(f"{live_server.url}/tasks?scope=claimable")
        expect(page.locator("[data-task-id]").first).to_be_visible()
        no_horizontal_scroll(page)
        page.screenshot(path=screenshot_dir / f"tasks-list-{language}-phone.png", full_page=True)
        task_id = case["open_tasks"][0]["id"]
        page.goto(f"{live_server.url}/tasks/{task_id}")
        expect(page.locator("#task-title")).to_be_visible()
        no_horizontal_scroll(page)
        page.screenshot(path=screenshot_dir / f"task-page-{language}-phone.png", full_page=True)
        page.goto(f"{live_server.url}/processes/product_return")
        no_horizontal_scroll(page)
        if language == "zh":
            switch_on_phone(page)
            expect(page.locator("html")).to_have_attribute("lang", "en")
    switch_on_phone(page)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_new_work_appears_without_reload_and_bulk_claim(live_server, desktop):
    live_server.second_manager("HZ001")  # two managers: HZ001's complaints wait in the pool
    page = desktop
    login(page, live_server, "manager_hz001")
    page.goto(f"{live_server.url}/tasks?scope=claimable")
    before = task_rows(page)
    page.evaluate("window.__marker = 'still the same page'")
    for name in ("甲", "乙"):
        live_server.start_case("complaint_handling", "cs_li",
                               {**COMPLAINT, "store_code": "HZ001", "customer_name": name})
    expect(page.locator("[data-task-id]")).to_have_count(len(before) + 2, timeout=10_000)
    expect(page.locator("#count-claimable")).to_have_text(str(len(before) + 2))
    assert page.evaluate("window.__marker") == "still the same page"  # no full reload
    page.check("#select-all")
    expect(page.locator("[data-selected-count]")).to_have_text(str(len(before) + 2))
    page.click("#claim-selected")
    expect(page).to_have_url(re.compile(r"/tasks$"))  # back to 待办, where they are now hers
    expect(page.locator("[data-task-id]")).to_have_count(len(before) + 2)
    expect(page.locator(".claimable-mark")).to_have_count(0)
    expect(page.locator("#count-claimable")).to_have_text("0")
