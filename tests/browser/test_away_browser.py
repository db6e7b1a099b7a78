"""代理 in a browser, on a desktop and on a 390 px phone: a person chooses a deputy and an end, saves,
sees themselves away, and ends it; the admin user page shows the handover and away sections; tap
targets are 44 px and no page scrolls sideways."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

DEVICES = ["desktop", "phone"]


def _pair(live_server, device: str) -> tuple[str, str]:
    """Two merchandisers of their own (unscoped: each may stand in for the other)."""
    from engine.directory.accounts import RoleSpec, insert_user_unchecked
    from engine.models import User
    from webapp.extensions import db, engine
    names = (f"away_{device}", f"stand_in_{device}")
    with live_server.app.app_context():
        for name in names:
            if db.session.query(User).filter_by(username=name).first() is None:
                insert_user_unchecked(db.session, name, "demo123", display_name=f"代理{name[-5:]}",
                                      roles=[RoleSpec("merchandiser")], now=engine().clock())
        db.session.commit()
        ends = (engine().clock() + timedelta(days=5)).astimezone(ZoneInfo("Asia/Shanghai"))
    return names[0], names[1] + "|" + ends.strftime("%Y-%m-%dT%H:%M")


def _tall_enough(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["height"] >= 44, box


@pytest.mark.parametrize("device", DEVICES)
def test_setting_and_ending_an_away_period(request, live_server, pages, device, screenshot_dir):
    page: Page = request.getfixturevalue(device)
    person, rest = _pair(live_server, device)
    deputy, ends = rest.split("|")
    pages.sign_in(page, person)
    page.goto(f"{live_server.url}/account")
    page.click("#away-link")
    expect(page.locator("#away-status")).to_have_attribute("data-holds-now", "no")
    pages.fits(page)
    page.select_option("#deputy", deputy)
    page.fill("#ends_at", ends)
    for field in ("#deputy", "#starts_at", "#ends_at", "#away-save"):
        _tall_enough(page.locator(field))
    page.click("#away-save")
    expect(page.locator("#away-status")).to_have_attribute("data-holds-now", "yes")
    expect(page.locator("#away-status")).to_contain_text("代理")
    expect(page.locator(".alert-success")).to_be_visible()
    page.screenshot(path=screenshot_dir / f"away-{device}.png", full_page=True)
    pages.fits(page)
    _tall_enough(page.locator("#away-clear"))
    page.click("#away-clear")
    expect(page.locator("#away-status")).to_have_attribute("data-holds-now", "no")


@pytest.mark.parametrize("device", DEVICES)
def test_the_admin_user_page_offers_handover_and_away(request, live_server, pages, device):
    from engine.models import User
    from webapp.extensions import db
    page: Page = request.getfixturevalue(device)
    person, _ = _pair(live_server, device)
    with live_server.app.app_context():
        user_id = db.session.query(User).filter_by(username=person).one().id
    pages.sign_in(page, "admin")
    page.goto(f"{live_server.url}/admin/users/{user_id}")
    expect(page.locator("#handover-form")).to_be_visible()
    expect(page.locator("#away-form")).to_be_visible()
    for field in ("#handover-to", "#handover-submit", "#away-save"):
        _tall_enough(page.locator(field))
    pages.fits(page)
