"""The version diff page in chromium: an administrator compares version 1 of complaint handling with a
version 2 uploaded through the API's deploy (a new review step with its form, a step removed, a step
renamed with new due hours, a flow condition, a script, a decision threshold): the added step green on
the new diagram, the removed one red on the old, the changed ones amber on both; choosing a change in
the list focuses it on both diagrams; on a 390 px phone the diagrams stack and the lists are cards."""
from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import expect

from engine.clock import FrozenClock

from ..model_edits import version_two
from .conftest import LiveServer
from .handoff_server import own_server

pytestmark = pytest.mark.browser
KEY = "complaint_handling"


@pytest.fixture(scope="module", params=["sqlite"])
def live_server(request, serve, tmp_path_factory) -> Iterator[LiveServer]:
    """A server of this module's own: its complaint handling gets a version 2."""
    with own_server(request, serve, tmp_path_factory.mktemp("diff"), FrozenClock(), "diff") as server:
        from engine import bpmn
        from engine.models import User
        from webapp.extensions import db, engine
        with server.app.app_context():
            admin = db.session.query(User).filter_by(username="admin").one()
            [result] = bpmn.deploy_uploads(db.session, admin, [bpmn.Upload(n, t.encode("utf-8"))
                                                               for n, t in version_two().items()],
                                           engine().clock(), key=KEY)
            db.session.commit()
            assert result.version == 2
        yield server


def marked(page, side: str, status: str) -> set[str]:
    return set(page.eval_on_selector_all(f"#diagram-{side} .djs-element.diff-{status}",
                                         "els => els.map(e => e.dataset.elementId)"))


def open_diff(pages, page, url: str) -> None:
    pages.sign_in(page, "admin")
    page.goto(f"{url}/admin/models/{KEY}")
    assert page.locator("#compare-versions").bounding_box()["height"] >= 44
    page.click("#compare-versions")
    expect(page.locator("#diagram-old")).to_have_attribute("data-rendered", "ok")
    expect(page.locator("#diagram-new")).to_have_attribute("data-rendered", "ok")


def test_the_diff_marks_both_diagrams_and_focuses_a_change(live_server, pages, desktop, axe, screenshot_dir):
    open_diff(pages, desktop, live_server.url)
    assert desktop.url.endswith(f"/admin/models/{KEY}/diff")
    assert marked(desktop, "new", "added") == {"review_store", "flow_review_store_to_investigation_done"}
    assert marked(desktop, "old", "removed") == {"init_case", "flow_init_case_to_quality_split"}
    assert marked(desktop, "new", "removed") == set() and marked(desktop, "old", "added") == set()
    changed = {"customer_follow_up", "start_investigation", "flow_route_handler_to_investigate_store"}
    assert changed <= marked(desktop, "old", "changed") and changed <= marked(desktop, "new", "changed")
    # the marks are drawn in the diff's colours (model-diff.css), not just named
    fill = desktop.eval_on_selector('#diagram-new .djs-element.diff-added[data-element-id="review_store"] '
                                    '.djs-visual > :first-child', "e => getComputedStyle(e).fill")
    assert fill == "rgb(209, 231, 221)"
    axe.check(desktop)
    amber = desktop.eval_on_selector('#diagram-old .djs-element.diff-changed'
                                     '[data-element-id="customer_follow_up"] .djs-visual > :first-child',
                                     "e => getComputedStyle(e).stroke")
    assert amber == "rgb(224, 168, 0)"
    desktop.click('button[data-element-id="customer_follow_up"]')
    expect(desktop.locator("#diagram-old")).to_have_attribute("data-focused", "customer_follow_up")
    expect(desktop.locator("#diagram-new")).to_have_attribute("data-focused", "customer_follow_up")
    expect(desktop.locator("#change-customer_follow_up")).to_have_class("is-focused")
    assert desktop.locator("#diagram-new .djs-element.diff-focus").count() == 1
    expect(desktop.locator("#change-customer_follow_up")).to_contain_text("48")
    rule = desktop.locator('#diff-decisions [data-rule="complaint_triage_rule_1"]')
    expect(rule).to_contain_text(">= 3000")
    desktop.screenshot(path=str(screenshot_dir / "model-diff-desktop.png"), full_page=True)


def test_on_a_phone_the_diagrams_stack_and_the_changes_are_cards(live_server, pages, phone, axe,
                                                                 screenshot_dir):
    open_diff(pages, phone, live_server.url)
    old, new = phone.locator("#diagram-old").bounding_box(), phone.locator("#diagram-new").bounding_box()
    assert new["y"] >= old["y"] + old["height"] and new["width"] <= 390
    assert phone.locator("#diff-elements thead").bounding_box()["height"] <= 1  # the header hidden: cards
    pages.phone_first(phone)
    axe.check(phone)
    for control in ("#diff-from", "#diff-to", "#diff-pick button"):
        assert phone.locator(control).bounding_box()["height"] >= 44, control
    focus = phone.locator('button[data-element-id="review_store"]')
    assert focus.bounding_box()["height"] >= 44
    focus.click()
    expect(phone.locator("#diagram-new")).to_have_attribute("data-focused", "review_store")
    phone.screenshot(path=str(screenshot_dir / "model-diff-phone.png"), full_page=True)
    phone.select_option("#diff-from", "2")
    phone.select_option("#diff-to", "1")
    phone.click("#diff-pick button")
    expect(phone.locator("#diagram-old")).to_have_attribute("data-rendered", "ok")
    assert phone.url.endswith("/diff?from=2&to=1")
    expect(phone.locator("#change-review_store")).to_have_attribute("data-status", "removed")
