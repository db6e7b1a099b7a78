"""The notification preferences page in a browser on a 390 px phone: every switch a 44 px target,
no sideways scrolling, a switch turned off and quiet hours changed are saved and shown again."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .test_inbox_browser import _reader


def test_the_preferences_page_on_a_phone(live_server, pages, phone: Page, screenshot_dir):
    reader = _reader(live_server, "prefs_phone")
    pages.sign_in(phone, reader)
    phone.goto(f"{live_server.url}/account/notifications")
    expect(phone.locator("h1")).to_have_text("通知设置")
    pages.fits(phone)
    target = phone.locator("label[for=switch-digest-email]")
    box = target.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    save = phone.locator("#save-notifications").bounding_box()
    assert save is not None and save["height"] >= 44
    phone.screenshot(path=screenshot_dir / "notification-preferences-phone.png", full_page=True)
    expect(phone.locator("#switch-digest-email")).to_be_checked()
    target.click()
    expect(phone.locator("#switch-digest-email")).not_to_be_checked()
    phone.fill("#quiet-start", "23:30")
    phone.click("#save-notifications")
    expect(phone).to_have_url(re.compile(r"/account/notifications$"))
    expect(phone.locator(".alert-success")).to_contain_text("通知设置已保存")
    expect(phone.locator("#switch-digest-email")).not_to_be_checked()
    expect(phone.locator("#switch-digest-inbox")).to_be_checked()
    expect(phone.locator("#quiet-start")).to_have_value("23:30")
    pages.fits(phone)
