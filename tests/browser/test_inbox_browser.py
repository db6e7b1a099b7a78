"""The bell and the inbox in a browser, on a desktop and on a 390 px phone: the bell counts what is
unread, the inbox lists it as cards, opening one goes to its case and marks it read, mark all read
empties the bell; no page scrolls sideways."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .test_tasks_browser import COMPLAINT

DEVICES = ["desktop", "phone"]


def _reader(live_server, name: str) -> str:
    """A person of their own (the server lives for the whole session), a merchandiser."""
    from engine.directory.accounts import RoleSpec, insert_user_unchecked
    from engine.models import User
    from webapp.extensions import db, engine
    with live_server.app.app_context():
        if db.session.query(User).filter_by(username=name).first() is None:
            insert_user_unchecked(db.session, name, "demo123", display_name=f"读者{name[-5:]}",
                                  roles=[RoleSpec("merchandiser")], now=engine().clock())
            db.session.commit()
    return name


def _cc(live_server, case_id: int, username: str, note: str) -> None:
    from engine import runtime
    from engine.models import User
    from webapp.extensions import db, engine
    with live_server.app.app_context():
        cs_li = db.session.query(User).filter_by(username="cs_li").one()
        runtime.cc_case(engine(), db.session, case_id, cs_li, [username], note)
        db.session.commit()


@pytest.mark.parametrize("device", DEVICES)
def test_the_bell_and_the_inbox(request, live_server, pages, device, screenshot_dir):
    page: Page = request.getfixturevalue(device)
    reader = _reader(live_server, f"inbox_{device}")
    cases = [live_server.start_case("complaint_handling", "cs_li", COMPLAINT) for _ in range(2)]
    for n, case in enumerate(cases):
        _cc(live_server, case["id"], reader, f"请关注第{n + 1}个反馈")
    pages.sign_in(page, reader)
    bell = page.locator("#nav-bell" if device == "desktop" else "#nav-bell-phone")
    expect(bell).to_be_visible()
    expect(bell.locator("[data-count=inbox]")).to_have_text("2")
    pages.fits(page)
    bell.click()
    expect(page).to_have_url(re.compile(r"/inbox$"))
    items = page.locator(".inbox-item")
    expect(items).to_have_count(2)
    expect(items.first).to_have_attribute("data-unread", "true")
    expect(items.first).to_contain_text("请关注第2个反馈")
    expect(items.first).to_contain_text("抄送给你")
    page.screenshot(path=screenshot_dir / f"inbox-{device}.png", full_page=True)
    pages.fits(page)
    box = items.first.locator(".inbox-mark-read").bounding_box()
    assert box is not None and box["height"] >= 44

    items.first.locator(".inbox-open").click()  # opens the case, marks the entry read
    expect(page).to_have_url(re.compile(rf"/cases/{cases[1]['id']}$"))
    expect(bell.locator("[data-count=inbox]")).to_have_text("1")
    page.goto(f"{live_server.url}/inbox")
    expect(page.locator(".inbox-item").first).to_have_attribute("data-unread", "false")
    page.click("#inbox-read-all")
    expect(page.locator(".alert-success")).to_contain_text("标为已读")
    expect(page.locator(".inbox-item[data-unread=true]")).to_have_count(0)
    expect(bell.locator("[data-count=inbox]")).to_be_hidden()
    pages.fits(page)
