"""退回 in chromium, on a desktop and on a 390 px phone: the agent doing the customer follow-up sends
the complaint back to the store manager's investigation with a reason; the manager finds it with
the reason on top and the earlier entries in the form."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

COMPLAINT = {"customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好，等了很久没人理。",
             "amount_claimed": 0}
INVESTIGATION = {"findings": "店员未按流程收银", "root_cause": "新员工培训不足", "resolution_type": "apology",
                 "compensation_amount": 0, "resolution_plan": "店长致电致歉并赠送优惠券"}


def _at_follow_up(server) -> tuple[int, int]:
    """A complaint whose investigation manager_sh001 has done: its id and the follow-up task's."""
    from engine.models import User
    from webapp.extensions import db, engine
    case = server.start_case("complaint_handling", "cs_li", COMPLAINT)
    with server.app.app_context():
        manager = db.session.query(User).filter_by(username="manager_sh001").one()
        done = engine().complete(db.session, case["open_tasks"][0]["id"], manager, INVESTIGATION)
        db.session.commit()
        [follow_up] = done.open_tasks
        return case["id"], follow_up.id


def _open_task(server, case_id: int) -> int:
    from sqlalchemy import select

    from engine.models import HumanTask
    from webapp.extensions import db
    with server.app.app_context():
        return db.session.scalar(select(HumanTask.id).where(HumanTask.instance_id == case_id,
                                                            HumanTask.state == "open"))


def _send_back(page: Page, pages, follow_up: int, reason: str) -> None:
    page.goto(f"{pages.server.url}/tasks/{follow_up}")
    move = page.locator("#move-send_back")
    box = move.locator("summary").bounding_box()
    assert box is not None and box["height"] >= 44
    move.locator("summary").click()
    expect(page.locator("#send_back-to")).to_be_visible()
    page.select_option("#send_back-to", "investigate_store")
    page.fill("#send_back-reason", reason)
    pages.fits(page)
    page.click("#send_back-submit")
    expect(page.locator(".alert-success")).to_contain_text("已退回")


def _reopened(page: Page, pages, case_id: int, reason: str) -> None:
    pages.sign_in(page, "manager_sh001")
    task_id = _open_task(pages.server, case_id)
    page.goto(f"{pages.server.url}/tasks?scope=mine")
    page.locator(f"[data-task-id='{task_id}'] a").first.click()
    expect(page.locator("#send-back-notice")).to_contain_text(reason)
    expect(page.locator("#f-findings")).to_have_value(INVESTIGATION["findings"])
    expect(page.locator(".timeline")).to_contain_text("退回到“投诉调查与处理方案”")
    pages.fits(page)


def test_send_back_on_a_desktop(live_server, desktop, pages, screenshot_dir):
    case_id, follow_up = _at_follow_up(live_server)
    pages.sign_in(desktop, "cs_wang")
    _send_back(desktop, pages, follow_up, "客户不接受道歉，请重新提出方案")
    _reopened(desktop, pages, case_id, "客户不接受道歉，请重新提出方案")
    desktop.screenshot(path=screenshot_dir / "send-back-reopened-desktop.png", full_page=True)


def test_send_back_on_a_phone(live_server, phone, pages, screenshot_dir):
    case_id, follow_up = _at_follow_up(live_server)
    pages.sign_in(phone, "cs_wang")
    _send_back(phone, pages, follow_up, "手机上退回：方案不完整")
    _reopened(phone, pages, case_id, "手机上退回：方案不完整")
    phone.screenshot(path=screenshot_dir / "send-back-reopened-phone.png", full_page=True)
