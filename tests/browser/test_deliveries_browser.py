"""The admin delivery log in a browser, on a desktop and a 390 px phone: messages as cards, a
failed one with its error and a "send again" button at least 44 px tall; sending it again queues
it; no sideways scrolling."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .test_inbox_browser import _cc, _reader
from .test_tasks_browser import COMPLAINT

DEVICES = ["desktop", "phone"]


def _fail_last(live_server) -> int:
    from sqlalchemy import select, update

    from engine.models import FAILED, OutboxMessage
    from webapp.extensions import db
    with live_server.app.app_context():
        last = db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1))
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == last).values(
            status=FAILED, attempts=8, last_error="550 5.1.1 <someone@opsflow.example>: no such mailbox, "
                                                  "the recipient's address is unknown to the mail server"))
        db.session.commit()
        return int(last)


def _status(live_server, outbox_id: int) -> str:
    from engine.models import OutboxMessage
    from webapp.extensions import db
    with live_server.app.app_context():
        return db.session.get(OutboxMessage, outbox_id).status


@pytest.mark.parametrize("device", DEVICES)
def test_the_delivery_log(request, live_server, pages, device, screenshot_dir):
    page: Page = request.getfixturevalue(device)
    reader = _reader(live_server, f"mail_{device}")
    with live_server.app.app_context():
        from engine.models import User
        from webapp.extensions import db
        db.session.query(User).filter_by(username=reader).update({"email": f"{reader}@opsflow.example"})
        db.session.commit()
    case = live_server.start_case("complaint_handling", "cs_li", COMPLAINT)
    _cc(live_server, case["id"], reader, "请关注")
    failed = _fail_last(live_server)
    pages.sign_in(page, "admin")
    page.goto(f"{live_server.url}/admin/deliveries?status=failed")
    card = page.locator(f"#delivery-{failed}")
    expect(card).to_be_visible()
    expect(card.locator(".delivery-error")).to_contain_text("550 5.1.1")
    button = card.locator(".delivery-resend")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44
    page.screenshot(path=screenshot_dir / f"deliveries-{device}.png", full_page=True)
    pages.fits(page)
    button.click()
    expect(page.locator(f"#delivery-{failed}")).to_have_count(0)  # no longer failed
    expect(page.locator(".alert")).to_contain_text(str(failed))
    assert _status(live_server, failed) == "pending"
    page.goto(f"{live_server.url}/admin/deliveries")
    expect(page.locator(f"#delivery-{failed}")).to_have_attribute("data-status", "pending")
    pages.fits(page)
