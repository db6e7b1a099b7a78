"""The diff page of stock_transfer, whose versions carry the called ship_goods.bpmn too, in chromium:
version 2 renames a step of the called file; the page draws the process's own file first, the
picker draws the called one in place with its change marked on both sides, and choosing the called
file's change in the list while the own file is drawn switches the drawing and focuses it; on a
390 px phone the picker is a tap target and nothing scrolls sideways."""
from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import expect

from engine.clock import FrozenClock

from ..model_edits import REPO, replace
from .conftest import LiveServer
from .handoff_server import own_server

pytestmark = pytest.mark.browser
KEY, CALLED = "stock_transfer", "ship_goods.bpmn"


@pytest.fixture(scope="module", params=["sqlite"])
def live_server(request, serve, tmp_path_factory) -> Iterator[LiveServer]:
    """A server of this module's own: ship_goods gets a version 2, and so does stock_transfer with it."""
    folder = tmp_path_factory.mktemp("diffcalled")
    with own_server(request, serve, folder, FrozenClock(), "diffcalled") as server:
        from engine import bpmn
        from engine.models import User
        from webapp.extensions import db, engine
        called = replace((REPO / "bpmn" / CALLED).read_text("utf-8"), 'name="门店拣货发货"',
                     'name="门店打包发货"')
        own = (REPO / "bpmn" / f"{KEY}.bpmn").read_text("utf-8")
        with server.app.app_context():
            admin = db.session.query(User).filter_by(username="admin").one()
            bpmn.deploy_uploads(db.session, admin, [bpmn.Upload(CALLED, called.encode())], engine().clock())
            [result] = bpmn.deploy_uploads(db.session, admin, [bpmn.Upload(f"{KEY}.bpmn", own.encode())],
                                           engine().clock())
            db.session.commit()
            assert result.version == 2
        yield server


def marked(page, side: str, status: str) -> set[str]:
    return set(page.eval_on_selector_all(f"#diagram-{side} .djs-element.diff-{status}",
                                         "els => els.map(e => e.dataset.elementId)"))


def rendered(page, file: str) -> None:
    for side in ("old", "new"):
        expect(page.locator(f"#diagram-{side}")).to_have_attribute("data-file", file)
        expect(page.locator(f"#diagram-{side}")).to_have_attribute("data-rendered", "ok")


def test_the_called_file_is_drawn_with_its_change(live_server, pages, desktop):
    pages.sign_in(desktop, "admin")
    desktop.goto(f"{live_server.url}/admin/models/{KEY}/diff?from=1&to=2")
    rendered(desktop, f"{KEY}.bpmn")
    assert marked(desktop, "new", "changed") == set()
    desktop.select_option("#diff-file", CALLED)
    rendered(desktop, CALLED)
    assert marked(desktop, "old", "changed") == {"ship_from_store"} == marked(desktop, "new", "changed")
    expect(desktop.locator("#diagram-new-title .diff-file-name").first).to_have_text(CALLED)

    desktop.select_option("#diff-file", f"{KEY}.bpmn")
    rendered(desktop, f"{KEY}.bpmn")
    desktop.click(f'button[data-element-id="ship_from_store"][data-file="{CALLED}"]')
    rendered(desktop, CALLED)
    expect(desktop.locator("#diff-file")).to_have_value(CALLED)
    expect(desktop.locator("#diagram-new")).to_have_attribute("data-focused", "ship_from_store")
    expect(desktop.locator(f'[id="change-{CALLED}:ship_from_store"]')).to_have_class("is-focused")


def test_on_a_phone_the_picker_is_a_tap_target(live_server, pages, phone):
    pages.sign_in(phone, "admin")
    phone.goto(f"{live_server.url}/admin/models/{KEY}/diff?from=1&to=2&file={CALLED}")
    rendered(phone, CALLED)
    assert phone.locator("#diff-file").bounding_box()["height"] >= 44
    pages.phone_first(phone)
