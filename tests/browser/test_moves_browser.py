"""撤回, 抄送 and 催办 in a browser, on a desktop and on a 390 px phone: each move opens in place,
is sent, and shows where the people concerned look; no page scrolls sideways."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .test_case_page_browser import open_case_actions
from .test_tasks_browser import COMPLAINT

DEVICES = ["desktop", "phone"]


def _device(request, name: str) -> Page:
    return request.getfixturevalue(name)


def _start(live_server) -> dict:
    return live_server.start_case("complaint_handling", "cs_li", COMPLAINT)


@pytest.mark.parametrize("device", DEVICES)
def test_the_starter_withdraws_a_case(request, live_server, pages, device, screenshot_dir):
    page = _device(request, device)
    case = _start(live_server)
    pages.sign_in(page, "cs_li")
    page.goto(f"{live_server.url}/cases/{case['id']}")
    open_case_actions(page)
    page.click("#move-withdraw summary")
    expect(page.locator("#withdraw-reason")).to_be_visible()
    pages.fits(page)
    page.fill("#withdraw-reason", "顾客已撤诉")
    page.click("#withdraw-submit")
    expect(page.locator("#withdrawn-notice")).to_contain_text("顾客已撤诉")
    expect(page.locator("#case-header")).to_have_attribute("data-status", "withdrawn")
    expect(page.locator("#case-header [data-status=withdrawn]")).to_have_text("已撤回")
    expect(page.locator("[data-event=withdrawn]")).to_contain_text("撤回了案件")
    expect(page.locator("#move-withdraw")).to_have_count(0)
    page.screenshot(path=screenshot_dir / f"case-withdrawn-{device}.png", full_page=True)
    pages.fits(page)


@pytest.mark.parametrize("device", DEVICES)
def test_cc_a_colleague_who_finds_it_unread(request, live_server, pages, device, screenshot_dir):
    page = _device(request, device)
    case = _start(live_server)
    pages.sign_in(page, "cs_li")
    page.goto(f"{live_server.url}/cases/{case['id']}")
    open_case_actions(page)
    page.click("#move-cc summary")
    page.select_option("#cc-usernames", ["merch_zhao"])
    page.fill("#cc-note", "请看看顾客的反馈")
    page.locator("#case-moves").screenshot(path=screenshot_dir / f"case-cc-form-{device}.png")
    pages.fits(page)
    page.click("#cc-submit")
    expect(page.locator(".alert-success")).to_contain_text("已抄送")
    expect(page.locator("[data-event=case_cc]").last).to_contain_text("抄送给")

    pages.sign_in(page, "merch_zhao")
    page.goto(f"{live_server.url}/cc")
    item = page.locator(f".cc-item[data-case-id='{case['id']}']")
    expect(item).to_have_attribute("data-unread", "true")
    expect(item).to_contain_text("请看看顾客的反馈")
    page.screenshot(path=screenshot_dir / f"cc-list-{device}.png", full_page=True)
    pages.fits(page)
    item.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case['id']}$"))
    expect(page.locator("#move-cc")).to_have_count(0)  # read-only
    page.goto(f"{live_server.url}/cc")
    expect(page.locator(f".cc-item[data-case-id='{case['id']}']")).to_have_attribute("data-unread", "false")


@pytest.mark.parametrize("device", DEVICES)
def test_urge_a_waiting_step_once_an_hour(request, live_server, pages, device, screenshot_dir):
    page = _device(request, device)
    case = _start(live_server)
    task_id = case["open_tasks"][0]["id"]
    pages.sign_in(page, "cs_li")
    page.goto(f"{live_server.url}/tasks/{task_id}")
    page.click("#move-urge summary")
    page.fill("#urge-reason", "顾客在店里等")
    page.screenshot(path=screenshot_dir / f"task-urge-form-{device}.png", full_page=True)
    pages.fits(page)
    page.click("#urge-submit")
    expect(page).to_have_url(re.compile(rf"/tasks/{task_id}$"))
    expect(page.locator(".alert-success")).to_contain_text("已催办")
    expect(page.locator("#task-title .urge-mark")).to_have_text(re.compile("催办 ×1"))
    # again from the case page: too soon
    page.goto(f"{live_server.url}/cases/{case['id']}")
    page.click(f"#urge-{task_id} summary")
    page.click(f"#urge-submit-{task_id}")
    expect(page.locator(".alert-warning")).to_contain_text("分钟后可再次催办")
    expect(page.locator("[data-event=task_urged]")).to_contain_text("顾客在店里等")
    pages.fits(page)

    pages.sign_in(page, "manager_sh001")
    page.goto(f"{live_server.url}/tasks")  # in 待办, hers already
    expect(page.locator(f"[data-task-id='{task_id}'] .urge-mark")).to_have_text(re.compile("催办 ×1"))
    page.screenshot(path=screenshot_dir / f"urged-task-list-{device}.png", full_page=True)
    pages.fits(page)
