"""加签 in chromium, on a desktop and on a 390 px phone: the holder asks an approver before them with a
reason (people picker), the approver opens the approval from their list and agrees with a comment,
and the step comes back to its holder with the decision shown inline."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COMPLAINT = {"customer_name": "吴先生", "customer_phone": "13800002222", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "退货时店员拒绝开具小票。",
             "amount_claimed": 0}


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_add_an_approver_before_and_the_approver_decides(request, device, live_server, pages, screenshot_dir):
    page = request.getfixturevalue(device)
    case = live_server.start_case("complaint_handling", "cs_li", COMPLAINT)
    key, task_id = case["business_key"], case["open_tasks"][0]["id"]

    pages.sign_in(page, "manager_sh001")
    page.goto(f"{live_server.url}/tasks/{task_id}")
    expect(page.locator("#claim-button")).to_have_count(0)  # SH001's only manager holds it already
    page.click("#move-add_approvers summary")
    page.select_option("#add_approvers-people", ["supervisor_east"])
    page.check("#add_approvers-before")
    page.fill("#add_approvers-reason", "金额较大，请主管先确认")
    pages.fits(page)
    page.screenshot(path=screenshot_dir / f"add-approvers-{device}.png", full_page=True)
    page.click("#add_approvers-submit")
    expect(page.locator("#approval-waiting")).to_contain_text("何主管")
    expect(page.locator("#complete-button")).to_have_count(0)
    expect(page.locator(".timeline")).to_contain_text("金额较大，请主管先确认")
    pages.fits(page)

    pages.sign_in(page, "supervisor_east")
    page.goto(f"{live_server.url}/tasks?scope=mine&q={key}")
    page.locator("[data-task-id] a", has_text="投诉调查与处理方案").first.click()
    expect(page.locator("#approval-ask")).to_contain_text("张店长")
    page.click("label[for=decision-approve]")
    page.fill("#decision-comment", "同意先行致歉")
    pages.fits(page)
    page.screenshot(path=screenshot_dir / f"approval-decide-{device}.png", full_page=True)
    page.click("#decide-submit")
    expect(page.locator(".alert-success")).to_contain_text("你已同意")

    pages.sign_in(page, "manager_sh001")
    page.goto(f"{live_server.url}/tasks/{task_id}")
    expect(page.locator("#approval-list")).to_contain_text("同意先行致歉")
    expect(page.locator(".timeline")).to_contain_text("何主管 同意“投诉调查与处理方案”")
    expect(page.locator("#complete-button")).to_be_visible()
    pages.fits(page)
