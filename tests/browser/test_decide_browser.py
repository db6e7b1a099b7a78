"""One-tap decisions in chromium: on a 390 px phone the task page's fixed bottom bar carries 批准 and
驳回 (驳回 opens its comment sheet first) and 待办 decides a review in place; at 1366 px the choices
sit at the top of the form's actions and in a column of the list. Tap targets are 44 px or more."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

RETURN = {"store_code": "NJ01", "return_type": "overstock", "reason": "积压滞销，申请退回",
          "items": [{"sku": "TS-1001", "name": "圆领T恤", "quantity": 3, "unit_price": 99}]}


def start_return(live_server) -> tuple[str, int, int]:
    """A product return at 客服审核 (claimable by either agent): business key, case id, task id."""
    case = live_server.start_case("product_return", "franchisee_nj01", RETURN)
    return case["business_key"], case["id"], case["open_tasks"][0]["id"]


def at_least_44(page: Page, *selectors: str) -> None:
    for selector in selectors:
        box = page.locator(selector).bounding_box()
        assert box and box["height"] >= 44, (selector, box)


def review_on_the_list(page: Page, pages, url: str, key: str, task_id: int, choice: str, note: str) -> None:
    """cs_li decides 客服审核 from 待办 (both choices need 审核意见: each opens its sheet)."""
    pages.sign_in(page, "cs_li")
    page.goto(f"{url}/tasks?q={key}")
    row = page.locator(f'[data-task-id="{task_id}"]')
    expect(row).to_be_visible()
    page.click(f"#task-{task_id}-choice-{choice}")
    expect(page.locator(f"#task-{task_id}-note-{choice}")).to_be_focused()
    page.fill(f"#task-{task_id}-note-{choice}", note)
    page.click(f"#task-{task_id}-confirm-{choice}")
    expect(row).to_have_count(0)
    expect(page.locator("#decide-status")).to_contain_text("“客服审核”已完成")


def test_on_the_phone_one_tap_decides_from_the_list_and_the_bar(live_server, pages, phone, screenshot_dir):
    page = phone
    key, case_id, task_id = start_return(live_server)
    pages.sign_in(page, "cs_li")
    page.goto(f"{live_server.url}/tasks?q={key}")
    row = page.locator(f'[data-task-id="{task_id}"]')
    expect(row.locator(".list-choices")).to_be_visible()
    at_least_44(page, f"#task-{task_id}-choice-true", f"#task-{task_id}-choice-false")
    pages.phone_first(page)

    # 不通过 opens the comment in the card; an empty comment is asked for there, nothing is posted
    page.click(f"#task-{task_id}-choice-false")
    note = page.locator(f"#task-{task_id}-note-false")
    expect(note).to_be_focused()
    at_least_44(page, f"#task-{task_id}-confirm-false")
    page.click(f"#task-{task_id}-confirm-false")
    expect(note).to_have_class(re.compile("is-invalid"))
    hint = page.locator(f"#task-{task_id}-sheet-false .invalid-feedback")
    expect(hint).to_contain_text("请先填写“审核意见”")
    pages.fits(page)
    page.screenshot(path=screenshot_dir / "decide-list-sheet-phone.png", full_page=True)
    assert page.url.endswith(f"/tasks?q={key}")

    # with the comment: decided in place, the card leaves the list, the page stays
    page.fill(f"#task-{task_id}-note-false", "单据与实物不符")
    page.click(f"#task-{task_id}-confirm-false")
    expect(row).to_have_count(0)
    expect(page.locator("#decide-status")).to_contain_text("“客服审核”已完成")
    assert page.url.endswith(f"/tasks?q={key}")

    # the merchandiser's approval: the bar is fixed at the bottom with 批准 and 驳回 and "more"
    key, case_id, task_id = start_return(live_server)
    review_on_the_list(page, pages, live_server.url, key, task_id, "true", "属实")
    approval = _open_task(live_server, case_id)
    pages.sign_in(page, "merch_zhao")
    page.goto(f"{live_server.url}/tasks/{approval}")
    bar = page.locator("#task-bar")
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    assert box and abs(box["y"] + box["height"] - 844) < 2, box
    assert bar.evaluate("e => getComputedStyle(e).position") == "fixed"
    at_least_44(page, "#bar-choice-true", "#bar-choice-false", "#bar-more")
    expect(page.locator("#bar-choice-true")).to_contain_text("批准")
    pages.fits(page)
    pages.unsqueezed(page)
    page.screenshot(path=screenshot_dir / "decide-bar-phone.png")

    # 驳回 opens the comment sheet above the bar before it submits
    page.click("#bar-choice-false")
    expect(page.locator("#bar-sheet-false")).to_have_attribute("open", "")
    expect(page.locator("#bar-note-false")).to_be_focused()
    sheet = page.locator("#bar-sheet-false .decide-sheet-body").bounding_box()
    assert sheet and sheet["y"] + sheet["height"] <= box["y"] + 1, (sheet, box)  # above the bar
    at_least_44(page, "#bar-confirm-false")
    pages.fits(page)
    page.screenshot(path=screenshot_dir / "decide-bar-sheet-phone.png")
    page.click("#bar-confirm-false")  # empty: asked for, not posted
    expect(page.locator("#bar-note-false")).to_have_class(re.compile("is-invalid"))
    page.fill("#bar-note-false", "库存充足，不予退货")
    expect(page.locator("#f-merchandiser_comment")).to_have_value("库存充足，不予退货")  # kept in step
    page.click("#bar-confirm-false")
    expect(page.locator(".alert-success")).to_contain_text("“商品部审批”已完成")
    case = page.request.get(f"{live_server.url}/cases/{case_id}")
    assert case.ok

    # 批准 decides in one tap
    key, case_id, task_id = start_return(live_server)
    review_on_the_list(page, pages, live_server.url, key, task_id, "true", "属实")
    approval = _open_task(live_server, case_id)
    pages.sign_in(page, "merch_zhao")
    page.goto(f"{live_server.url}/tasks/{approval}")
    page.click("#bar-choice-true")
    expect(page.locator(".alert-success")).to_contain_text("“商品部审批”已完成")
    assert _open_task(live_server, case_id) != approval


@pytest.mark.parametrize("sized", ["1366"], indirect=True)
def test_on_the_desktop_the_choices_lead_the_forms_actions(live_server, pages, sized, screenshot_dir):
    page = sized  # 1366 x 900
    key, case_id, task_id = start_return(live_server)
    pages.sign_in(page, "cs_wang")
    page.goto(f"{live_server.url}/tasks?q={key}")
    expect(page.locator("th.col-decide")).to_be_visible()
    at_least_44(page, f"#task-{task_id}-choice-true", f"#task-{task_id}-choice-false")
    pages.phone_first(page)
    page.screenshot(path=screenshot_dir / "decide-list-desktop.png", full_page=True)
    page.click(f"#task-{task_id}-choice-true")
    page.fill(f"#task-{task_id}-note-true", "属实")
    page.click(f"#task-{task_id}-confirm-true")
    expect(page.locator(f'[data-task-id="{task_id}"]')).to_have_count(0)

    approval = _open_task(live_server, case_id)
    pages.sign_in(page, "merch_zhao")
    page.goto(f"{live_server.url}/tasks/{approval}")
    expect(page.locator("#task-bar")).to_be_hidden()
    actions = page.locator("#task-form .form-actions")
    expect(actions.locator("button").first).to_have_id("choice-true")
    expect(page.locator("#complete-button")).to_have_count(0)
    at_least_44(page, "#choice-true", "#choice-false")
    pages.fits(page)
    page.screenshot(path=screenshot_dir / "decide-form-desktop.png", full_page=True)
    page.click("#choice-false")  # 驳回 without 商品部意见: asked for in the form, nothing posted
    expect(page.locator("#f-merchandiser_comment")).to_be_focused()
    expect(page.locator("#f-merchandiser_comment")).to_have_attribute("aria-invalid", "true")
    page.fill("#f-merchandiser_comment", "季末不收积压款")
    page.click("#choice-false")
    expect(page.locator(".alert-success")).to_contain_text("“商品部审批”已完成")


def _open_task(live_server, case_id: int) -> int | None:
    from engine.models import HumanTask
    from webapp.extensions import db
    with live_server.app.app_context():
        return db.session.query(HumanTask.id).filter_by(instance_id=case_id, state="open").scalar()


# Every visible control of the page's content and its bar, with its size: a checkbox or radio by the
# box it sits in (its label is the target). Text out of sight is skipped.
SMALL_TARGETS = """() => {
  const controls = "main a, main button, main summary, main select, main textarea, main input, "
                   + "#task-bar button, #task-bar summary";
  const skipped = ".dropdown-menu, .visually-hidden, .visually-hidden-focusable";
  const size = (e) => e.getBoundingClientRect();
  return [...document.querySelectorAll(controls)]
    .map((e) => ["checkbox", "radio"].includes(e.type) ? e.closest(".form-check, .tap-check") || e : e)
    .filter((e) => e.type !== "hidden" && !e.closest(skipped))
    .filter((e) => !e.closest("details:not([open]) > :not(summary)"))
    .filter((e) => size(e).width > 0 && size(e).height > 0 && size(e).height < 44)
    .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${String(e.className).slice(0, 40)} `
                + `${Math.round(size(e).height)}px: ${e.textContent.trim().slice(0, 20)}`);
}"""


@pytest.mark.parametrize("sized", ["390", "1366"], indirect=True)
def test_the_task_pages_tap_targets_are_44_px(live_server, pages, sized):
    page = sized
    key, case_id, task_id = start_return(live_server)
    pages.sign_in(page, "cs_li")
    page.goto(f"{live_server.url}/tasks")
    assert page.evaluate(SMALL_TARGETS) == []
    page.goto(f"{live_server.url}/tasks/{task_id}")
    assert page.evaluate(SMALL_TARGETS) == []
    pages.phone_first(page)


def test_an_approval_asked_of_me_is_decided_from_the_phone_bar(live_server, pages, phone):
    page = phone
    case = live_server.start_case("complaint_handling", "cs_li", {
        "customer_name": "钱女士", "customer_phone": "13812345678", "store_code": "SH001", "channel": "store",
        "category": "service", "description": "等候太久", "amount_claimed": 0})
    task_id = case["open_tasks"][0]["id"]
    pages.sign_in(page, "manager_sh001")
    page.goto(f"{live_server.url}/tasks/{task_id}")
    page.click("#move-add_approvers summary")
    page.select_option("#add_approvers-people", ["supervisor_east"])
    page.fill("#add_approvers-reason", "请主管先看")
    page.click("#add_approvers-submit")
    expect(page.locator("#approval-waiting")).to_be_visible()

    pages.sign_in(page, "supervisor_east")
    page.goto(f"{live_server.url}/tasks?scope=mine&q={case['business_key']}")
    row = page.locator("[data-task-id]", has_text="投诉调查与处理方案").first
    approval = row.get_attribute("data-task-id")
    at_least_44(page, f"#task-{approval}-approve", f"#task-{approval}-reject")  # 同意 right in 待办 too
    pages.phone_first(page)
    row.locator("a", has_text="投诉调查与处理方案").click()
    at_least_44(page, "#bar-approve", "#bar-reject")
    page.click("#bar-reject")
    expect(page.locator("#bar-note-reject")).to_be_focused()
    page.fill("#bar-note-reject", "请补充照片")
    expect(page.locator("#decision-comment")).to_have_value("请补充照片")
    pages.fits(page)
    page.click("#bar-confirm-reject")
    expect(page.locator(".alert-success")).to_contain_text("你已选择不同意")


def test_an_approval_is_agreed_from_the_list_in_place(live_server, pages, phone):
    page = phone
    case = live_server.start_case("complaint_handling", "cs_li", {
        "customer_name": "孙女士", "customer_phone": "13812345678", "store_code": "SH001", "channel": "store",
        "category": "service", "description": "等候太久", "amount_claimed": 0})
    pages.sign_in(page, "manager_sh001")
    page.goto(f"{live_server.url}/tasks/{case['open_tasks'][0]['id']}")
    page.click("#move-add_approvers summary")
    page.select_option("#add_approvers-people", ["supervisor_east"])
    page.fill("#add_approvers-reason", "请主管先看")
    page.click("#add_approvers-submit")
    pages.sign_in(page, "supervisor_east")
    page.goto(f"{live_server.url}/tasks?scope=mine&q={case['business_key']}")
    row = page.locator("[data-task-id]", has_text="投诉调查与处理方案").first
    approval = row.get_attribute("data-task-id")
    page.click(f"#task-{approval}-approve")
    expect(row).to_have_count(0)
    expect(page.locator("#decide-status")).to_contain_text("你已同意")
