"""The group robot pages in chromium on a phone, as the demo administrator, in Chinese: a store's
robot added with a secret, the secret never shown back, a test message that reaches a real local
robot, deactivating; every page fits 390 px."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.robot_endpoint import start_endpoint, stop_endpoint

pytestmark = pytest.mark.browser


def test_a_store_robot_is_added_tested_and_deactivated_on_a_phone(live_server, pages, phone, screenshot_dir):
    endpoint = start_endpoint()
    page: Page = phone
    try:
        pages.sign_in(page, "admin")
        page.goto(f"{live_server.url}/admin/")
        page.click("a[href='/admin/robots']")
        expect(page.locator("h1")).to_have_text("群机器人")
        pages.fits(page)
        page.click("#new-robot")
        pages.fits(page)
        page.fill("#name", "南京路店店群")
        page.check("#kind-dingtalk")
        page.check("#scope-store")
        page.fill("#scope_value", "SH001")
        page.fill("#url", endpoint.url("/robot/send?access_token=browser"))
        page.fill("#secret", "SEC-browser")
        expect(page.locator("#events-task_created")).to_be_checked()
        page.check("#events-case_ended")
        page.screenshot(path=screenshot_dir / "admin-robot-new-zh-phone.png", full_page=True)
        page.click("#robot-form button[type=submit]")
        expect(page.locator(".alert-success")).to_contain_text("已添加机器人 南京路店店群")
        expect(page.locator("#secret")).to_have_value("")
        expect(page.locator("#secret-help")).to_contain_text("已保存密钥")
        assert "SEC-browser" not in page.content()
        pages.fits(page)
        page.click("#send-test")
        expect(page.locator(".alert-success")).to_contain_text("测试消息已发送")
        [got] = endpoint.received
        assert got.body["actionCard"]["title"] == "OpsFlow 测试消息" and got.query["sign"]
        page.click("#toggle-active")
        expect(page.locator(".alert-success")).to_contain_text("已停用")
        page.screenshot(path=screenshot_dir / "admin-robot-zh-phone.png", full_page=True)
        page.goto(f"{live_server.url}/admin/robots")
        expect(page.locator("#robot-list li[data-active='0']").first).to_contain_text("南京路店店群")
        pages.fits(page)
        page.screenshot(path=screenshot_dir / "admin-robots-zh-phone.png", full_page=True)
    finally:
        stop_endpoint(endpoint)
