"""待办 and 转交 in chromium, on a desktop and on a 390 px phone: a claimable task is marked in 待办 and
completed straight from its form; the holder hands a task to a colleague with a reason, who finds it
in their 待办; on the phone the fixed bottom bar carries Complete and a "more" menu for the other
moves, with 44 px targets and no sideways scroll."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

STORE = "SH002"
COMPLAINT = {"customer_name": "吴先生", "customer_phone": "13812345678", "store_code": STORE,
             "channel": "store", "category": "service", "description": "收银排队太久。", "amount_claimed": 0}


def fill_investigation(page: Page) -> None:
    page.fill("#f-findings", "高峰期只开一个收银台")
    page.fill("#f-root_cause", "排班不足")
    page.select_option("#f-resolution_type", "apology")
    page.fill("#f-compensation_amount", "0")
    page.fill("#f-resolution_plan", "高峰期加开收银台")


@pytest.fixture
def deputy(live_server) -> str:
    return live_server.second_manager(STORE)  # with two managers the store's tasks wait in the pool


def test_todo_marks_claimable_work_and_the_holder_transfers_on_desktop(pages, live_server, desktop, deputy,
                                                                       screenshot_dir):
    page = desktop
    case = live_server.start_case("complaint_handling", "cs_li", COMPLAINT)
    key, task_id = case["business_key"], case["open_tasks"][0]["id"]

    # 待办 is the default list: the task is there, marked as one to claim, and counted in the badge
    pages.sign_in(page, "manager_sh002")
    expect(page.locator("#tab-todo")).to_have_attribute("aria-current", "page")
    row = page.locator(f'[data-task-id="{task_id}"]')
    expect(row.locator(".claimable-mark")).to_have_text("待认领")
    todo = int(page.locator("#count-todo").inner_text())
    expect(page.locator('nav [data-count="todo"]').first).to_contain_text(str(todo))
    page.screenshot(path=screenshot_dir / "todo-desktop.png", full_page=True)

    # take it, then hand it to the deputy with a reason
    row.locator("a").first.click()
    page.click("#claim-button")
    expect(page.locator("#task-holder")).to_contain_text("徐店长")
    page.click("#move-transfer summary")
    assert page.locator("#transfer-to option").count() >= 2  # the prompt and the deputies
    page.select_option("#transfer-to", deputy)
    page.fill("#transfer-reason", "明天去总部开会")
    page.click("#transfer-submit")
    expect(page.locator(".alert-success")).to_contain_text("已将任务转交给")
    expect(page.locator("#task-holder")).to_contain_text(f"{STORE}副店长")
    expect(page.locator(".timeline")).to_contain_text("转交给")
    expect(page.locator(".timeline")).to_contain_text("明天去总部开会")
    expect(page.locator("#move-transfer")).to_have_count(0)

    # the deputy finds it in 待办 as hers (not marked), and completes it
    pages.sign_in(page, deputy)
    page.goto(f"{live_server.url}/tasks?q={key}")
    mine = page.locator(f'[data-task-id="{task_id}"]')
    expect(mine).to_have_count(1)
    expect(mine.locator(".claimable-mark")).to_have_count(0)
    mine.locator("a").first.click()
    fill_investigation(page)
    page.click("#complete-button")
    expect(page.locator(".alert-success")).to_contain_text("下一步")


def test_a_claimable_task_is_completed_from_its_form_without_a_claim(pages, live_server, desktop, deputy):
    page = desktop
    case = live_server.start_case("complaint_handling", "cs_li", {**COMPLAINT, "customer_name": "钱女士"})
    task_id = case["open_tasks"][0]["id"]
    pages.sign_in(page, deputy)
    page.goto(f"{live_server.url}/tasks/{task_id}")
    expect(page.locator("#claim-hint")).to_be_visible()
    expect(page.locator("#f-findings")).to_be_enabled()
    fill_investigation(page)
    page.click("#complete-button")
    expect(page.locator(".alert-success")).to_contain_text("下一步")
    page.goto(f"{live_server.url}/tasks/{task_id}")
    expect(page.locator("#task-holder")).to_contain_text(f"{STORE}副店长")  # completed by the deputy


def test_the_phone_bar_completes_and_its_menu_transfers(pages, live_server, phone, deputy, screenshot_dir):
    page = phone
    first = live_server.start_case("complaint_handling", "cs_li", {**COMPLAINT, "customer_name": "孙先生"})
    second = live_server.start_case("complaint_handling", "cs_li", {**COMPLAINT, "customer_name": "李女士"})
    pages.sign_in(page, "manager_sh002")
    pages.fits(page)
    expect(page.locator(".claimable-mark").first).to_be_visible()

    # the bar: Complete and "more", fixed at the bottom, 44 px tall, nothing wider than the phone
    page.goto(f"{live_server.url}/tasks/{first['open_tasks'][0]['id']}")
    bar = page.locator("#task-bar")
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    assert box and abs(box["y"] + box["height"] - 844) < 2, box
    for target in ("#bar-complete", "#bar-more"):
        height = page.locator(target).bounding_box()["height"]
        assert height >= 44, (target, height)
    pages.fits(page)
    page.screenshot(path=screenshot_dir / "task-page-bar-phone.png")

    # "more" holds the other moves; take the task from it, then transfer it from it
    page.click("#bar-more")
    expect(page.locator("#bar-claim")).to_be_visible()
    assert page.locator("#bar-claim").bounding_box()["height"] >= 44
    page.screenshot(path=screenshot_dir / "task-page-more-phone.png")
    page.click("#bar-claim")
    expect(page.locator("#task-holder")).to_contain_text("徐店长")
    page.click("#bar-more")
    page.click("#bar-transfer")
    expect(page.locator("#move-transfer")).to_have_attribute("open", "")
    expect(page.locator("#transfer-to")).to_be_focused()
    page.select_option("#transfer-to", deputy)
    page.fill("#transfer-reason", "我今天休息")
    page.click("#transfer-submit")
    expect(page.locator(".alert-success")).to_contain_text("已将任务转交给")
    pages.fits(page)

    # Complete in the bar submits the form (a claimable task: no claim first)
    page.goto(f"{live_server.url}/tasks/{second['open_tasks'][0]['id']}")
    fill_investigation(page)
    page.click("#bar-complete")
    expect(page.locator(".alert-success")).to_contain_text("下一步")
    pages.fits(page)
