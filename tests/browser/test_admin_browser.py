"""The admin area in chromium, as the demo administrator: the models page, a process's versions and
files, an upload that changes nothing and one that is refused with the reason beside the file
input; a user given a store-scoped role through the role rows; every admin page fits a phone.
Screenshots go to test-output/screenshots/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]


def test_models_pages_and_deploying(live_server, pages, desktop, screenshot_dir, tmp_path):
    page: Page = desktop
    pages.sign_in(page, "admin")
    page.click("a.nav-link[href='/admin/']")
    expect(page.locator("h1")).to_have_text("系统管理")
    page.screenshot(path=screenshot_dir / "admin-zh-desktop.png", full_page=True)
    page.goto(f"{live_server.url}/admin/models")
    expect(page.locator("#process-complaint_handling")).to_be_visible()
    page.screenshot(path=screenshot_dir / "admin-models-zh-desktop.png", full_page=True)
    page.click("#process-complaint_handling a")
    expect(page.locator("#version-1")).to_be_visible()

    same = tmp_path / "investigate.json"
    same.write_bytes((REPO / "workflows" / "forms" / "complaint_handling" / "investigate.json").read_bytes())
    page.set_input_files("#deploy-files", str(same))
    page.click("#deploy-form button[type=submit]")
    expect(page.locator(".alert")).to_contain_text("没有改动")
    expect(page.locator("#version-2")).to_have_count(0)

    broken = tmp_path / "complaint_handling.bpmn"
    broken.write_text("<bpmn:definitions", "utf-8")
    page.set_input_files("#deploy-files", str(broken))
    page.click("#deploy-form button[type=submit]")
    expect(page.locator("#deploy-error")).to_contain_text("complaint_handling.bpmn 第 1 行：XML 格式不正确")
    page.screenshot(path=screenshot_dir / "admin-model-refused-zh-desktop.png", full_page=True)


def test_admin_pages_fit_a_phone(live_server, pages, phone, screenshot_dir):
    page: Page = phone
    pages.sign_in(page, "admin")
    for path, name in (("/admin/", "admin"), ("/admin/models", "admin-models"),
                       ("/admin/users", "admin-users"), ("/admin/users/new", "admin-user-new"),
                       ("/admin/stores", "admin-stores"), ("/admin/stores/SH001", "admin-store"),
                       ("/admin/models/store_opening", "admin-model")):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_be_visible()
        pages.fits(page)
        page.screenshot(path=screenshot_dir / f"{name}-zh-phone.png", full_page=True)
    expect(page).to_have_url(re.compile(r"/admin/models/store_opening$"))


def test_a_user_is_created_with_a_store_scoped_role(live_server, pages, desktop, screenshot_dir):
    page: Page = desktop
    pages.sign_in(page, "admin")
    page.goto(f"{live_server.url}/admin/users/new")
    page.fill("#username", "deputy_sh002")
    page.fill("#display_name", "上海徐家汇店副店长")
    page.fill("#password", "deputy-pass-1")
    row = page.locator("#user-form [data-row]").last
    row.locator("select[name$='-role']").select_option("store_manager")
    row.locator("select[name$='-store_code']").select_option("SH002")
    page.screenshot(path=screenshot_dir / "admin-user-new-zh-desktop.png", full_page=True)
    page.click("#user-form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto(f"{live_server.url}/admin/users?q=deputy")
    expect(page.locator("table")).to_contain_text("deputy_sh002")
    expect(page.locator("table")).to_contain_text("SH002")
    page.screenshot(path=screenshot_dir / "admin-users-zh-desktop.png", full_page=True)
    pages.sign_in(page, "deputy_sh002", "deputy-pass-1")
    expect(page).to_have_url(re.compile(r"/tasks"))
