"""The admin area in chromium, as the demo administrator: the models page, a process's versions and
files, an upload that changes nothing and one that is refused with the reason beside the file
input; the pages fit a phone. Screenshots go to test-output/screenshots/."""
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
    expect(page.locator("#deploy-error")).to_contain_text("complaint_handling.bpmn, line 1")
    page.screenshot(path=screenshot_dir / "admin-model-refused-zh-desktop.png", full_page=True)


def test_admin_pages_fit_a_phone(live_server, pages, phone, screenshot_dir):
    page: Page = phone
    pages.sign_in(page, "admin")
    for path, name in (("/admin/", "admin"), ("/admin/models", "admin-models"),
                       ("/admin/models/store_opening", "admin-model")):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_be_visible()
        pages.fits(page)
        page.screenshot(path=screenshot_dir / f"{name}-zh-phone.png", full_page=True)
    expect(page).to_have_url(re.compile(r"/admin/models/store_opening$"))
