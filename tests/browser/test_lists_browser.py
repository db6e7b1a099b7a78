"""Every list is phone-first: cards below the md breakpoint, a table above it. Each list page is opened at
360, 390 and 1366 px in Chinese and must neither scroll sideways nor squeeze its text to a character a
line; the line items of a case show as cards with their total. Screenshots go to test-output/screenshots/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

RETURN = {"store_code": "NJ01", "return_type": "quality",
          "reason": "面料起球，顾客退货较多，需要整批退回检验。",
          "items": [{"sku": "SKU-1001", "name": "男士牛津纺长袖衬衫（加厚款）", "quantity": 1200,
                     "unit_price": 199.5},
                    {"sku": "SKU-2002", "name": "女士连衣裙", "quantity": 2, "unit_price": 399}]}
COMPLAINT = {"customer_name": "吴先生", "customer_phone": "13812345678", "store_code": "SH002",
             "channel": "store", "category": "service", "description": "收银排队太久，店员态度也不好。",
             "amount_claimed": 0}


@pytest.fixture(scope="module")
def cases(live_server) -> dict[str, dict]:
    """A product return with line items and a complaint, started once for the module."""
    return {"return": live_server.start_case("product_return", "franchisee_nj01", RETURN),
            "complaint": live_server.start_case("complaint_handling", "cs_li", COMPLAINT)}


def is_phone(page: Page) -> bool:
    return int(page.list_width) < 768


def shot(page: Page, screenshot_dir, name: str) -> None:
    page.screenshot(path=screenshot_dir / f"list-{name}-zh-{page.list_width}.png", full_page=True)


def test_the_case_list_is_cards_on_a_phone_and_a_table_on_a_laptop(live_server, pages, sized, cases,
                                                                    screenshot_dir):
    page: Page = sized
    pages.sign_in(page, "director")
    page.goto(f"{live_server.url}/cases")
    row = page.locator(f"#case-table tr[data-case-id='{cases['return']['id']}']")
    expect(row).to_be_visible()
    pages.phone_first(page)
    header = page.locator("#case-table thead")
    if is_phone(page):
        assert header.bounding_box()["width"] <= 1  # folded away: each card names its own fields
        expect(row.locator("td[data-label='状态']")).to_be_visible()
        box = row.bounding_box()
        assert box["width"] >= int(page.list_width) - 40  # a card spans the screen
        check = row.locator("label.tap-check")
        target = check.bounding_box()
        assert target["width"] >= 44 and target["height"] >= 44
        check.click()  # the whole target selects the case
        expect(row.locator("[data-case-select]")).to_be_checked()
        expect(page.locator("[data-case-selected-count]")).to_have_text("1")
    else:
        expect(header).to_be_visible()
    shot(page, screenshot_dir, "cases")


@pytest.mark.parametrize("path, row", [("/admin/users", "#user-table tbody tr"),
                                       ("/admin/stores", "#store-table tbody tr"),
                                       ("/admin/models", "#process-table tbody tr"),
                                       ("/admin/models/product_return", "#version-table tbody tr")])
def test_the_admin_lists_are_cards_on_a_phone(live_server, pages, sized, path, row, screenshot_dir):
    page: Page = sized
    pages.sign_in(page, "admin")
    page.goto(f"{live_server.url}{path}")
    first = page.locator(row).first
    expect(first).to_be_visible()
    pages.phone_first(page)
    if is_phone(page):
        labelled = first.locator("td[data-label]").first
        assert labelled.evaluate("e => getComputedStyle(e, '::before').content") not in ("none", "normal")
        assert first.bounding_box()["width"] >= int(page.list_width) - 40
    shot(page, screenshot_dir, path.strip("/").replace("/", "-"))


def test_line_items_on_the_case_page_are_cards_with_their_totals(live_server, pages, sized, cases,
                                                                 screenshot_dir):
    page: Page = sized
    pages.sign_in(page, "director")
    page.goto(f"{live_server.url}/cases/{cases['return']['id']}")
    table = page.locator("table[data-lines='items']:visible").first
    expect(table).to_be_visible()
    expect(table.locator("tr[data-total='columns']")).to_contain_text("1,202")  # 1,200 + 2 pieces
    expect(table.locator("tr[data-total='amount']")).to_contain_text("¥240,198.00")  # 1,200 × 199.5 + 2 × 399
    shot(page, screenshot_dir, "case-line-items")
    pages.phone_first(page)
    if is_phone(page):
        first = table.locator("tbody tr").first
        assert first.bounding_box()["height"] > 4 * first.locator("td").first.bounding_box()["height"]
        expect(first.locator("td[data-label='品名']")).to_contain_text("男士牛津纺长袖衬衫")
    for shut in page.locator("#timeline details:not([open]) > summary").all():
        shut.click()  # what a step filled in, line items included, read in the timeline
    expect(page.locator("#timeline table[data-lines='items']").first).to_be_visible()
    shot(page, screenshot_dir, "case-timeline-line-items")
    pages.phone_first(page)


def test_the_task_page_line_items_fit_and_their_controls_are_full_size(live_server, pages, sized, cases,
                                                                       screenshot_dir):
    page: Page = sized
    pages.sign_in(page, "cs_li")
    page.goto(f"{live_server.url}/tasks/{cases['return']['open_tasks'][0]['id']}")
    expect(page.locator("#task-title")).to_be_visible()
    shot(page, screenshot_dir, "task-line-items")
    pages.phone_first(page)
    for control in page.locator("[data-remove-row]:visible, [data-add-row]:visible").all():
        assert control.bounding_box()["height"] >= 44


@pytest.mark.parametrize("user, path, name", [
    ("cs_li", "/tasks?scope=claimable", "tasks-claimable"),
    ("franchisee_nj01", "/outcomes", "outcomes"),
    ("director", "/cc", "cc"),
    ("cs_li", "/inbox", "inbox"),
    ("admin", "/admin/deliveries", "deliveries"),
    ("admin", "/admin/robots", "robots")])
def test_the_other_lists_fit_every_width(live_server, pages, sized, cases, user, path, name, screenshot_dir):
    page: Page = sized
    pages.sign_in(page, user)
    assert page.goto(f"{live_server.url}{path}").ok
    expect(page.locator("h1").first).to_be_visible()
    shot(page, screenshot_dir, name)
    pages.phone_first(page)
    for check in page.locator("label.tap-check:visible").all():
        box = check.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44


def test_a_line_item_form_keeps_a_running_total(live_server, pages, phone, screenshot_dir):
    page: Page = phone
    pages.sign_in(page, "franchisee_nj01")
    page.goto(f"{live_server.url}/processes/product_return")
    total = page.locator("#f-items [data-rows-total], [data-rows] [data-rows-total]").first
    page.fill("input[name='items.0.quantity']", "1200")
    page.fill("input[name='items.0.unit_price']", "199.5")
    expect(total).to_have_text("合计 1,200 · 金额合计 ¥239,400.00")
    page.locator("[data-add-row]").first.click()
    page.fill("input[name='items.1.quantity']", "2")
    page.fill("input[name='items.1.unit_price']", "399")
    expect(total).to_have_text("合计 1,202 · 金额合计 ¥240,198.00")
    page.screenshot(path=screenshot_dir / "list-running-total-zh-390.png", full_page=True)
    page.locator("[data-row]").nth(1).locator("[data-remove-row]").click()
    expect(total).to_have_text("合计 1,200 · 金额合计 ¥239,400.00")
    pages.phone_first(page)


def test_the_case_list_and_line_items_fit_a_small_phone_in_english(live_server, pages, sized, cases,
                                                                  screenshot_dir):
    page: Page = sized
    pages.sign_in(page, "supervisor_east")
    page.goto(f"{live_server.url}/cases")
    if is_phone(page):
        page.click(".navbar-toggler")
        expect(page.locator("#nav-menu")).to_have_class(re.compile(r"\bshow\b"))
    with page.expect_navigation():
        page.click("#language-switch")
    try:
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator(f"#case-table tr[data-case-id='{cases['return']['id']}']")).to_be_visible()
        page.screenshot(path=screenshot_dir / f"list-cases-en-{page.list_width}.png", full_page=True)
        pages.phone_first(page)
        page.goto(f"{live_server.url}/cases/{cases['return']['id']}")
        expect(page.locator("table[data-lines='items']:visible").first).to_contain_text("CN¥240,198.00")
        page.screenshot(path=screenshot_dir / f"list-case-line-items-en-{page.list_width}.png",
                        full_page=True)
        pages.phone_first(page)
    finally:
        if is_phone(page):
            page.click(".navbar-toggler")
            expect(page.locator("#nav-menu")).to_have_class(re.compile(r"\bshow\b"))
        with page.expect_navigation():
            page.click("#language-switch")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
