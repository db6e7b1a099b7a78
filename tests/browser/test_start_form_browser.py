"""Forms that help, in chromium: choosing the store on the store-opening form fills its name, city and
address,
and a planned opening date in the past is refused with the limit in words."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_choosing_a_store_fills_its_name_city_and_address(live_server, pages, phone, screenshot_dir):
    pages.sign_in(phone, "supervisor_east")
    phone.goto(f"{live_server.url}/processes/store_opening")
    phone.select_option("#f-store_code", "SH003")
    expect(phone.locator("#f-store_name")).to_have_value("上海静安寺店")
    expect(phone.locator("#f-city")).to_have_value("上海")
    expect(phone.locator("#f-address")).to_have_value("南京西路 1788 号")
    phone.fill("#f-address", "上海市静安区南京西路1788号1层")
    phone.fill("#f-area_sqm", "180")
    phone.fill("#f-planned_opening_date", "2020-01-01")
    phone.fill("#f-budget", "800000")
    phone.locator("label[for^=f-store_type]").first.click()
    phone.click("#start-button")
    expect(phone.locator("#f-planned_opening_date-error")).to_contain_text("日期不能早于")
    expect(phone.locator("#f-store_name")).to_have_value("上海静安寺店")
    pages.fits(phone)
    phone.screenshot(path=str(screenshot_dir / "start_form_store_fill_390.png"), full_page=True)
