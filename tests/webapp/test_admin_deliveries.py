"""The admin delivery log: newest first, filtered by status and channel, the error of a failure shown,
a failed message sent again (admin only)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from engine.models import FAILED, PENDING, SENT, AuditEvent, OutboxMessage
from webapp.extensions import db

from .conftest import csrf_token
from .test_api_instances import start


@pytest.fixture(autouse=True)
def cc_by_mail(api):
    """These tests make mail with a cc, which reaches the inbox only unless its reader asks for mail."""
    for username in ("merch_zhao", "director"):
        assert api.as_(username).put("/me/notification-preferences", json={
            "switches": {"cc": {"email": True}}}).status_code == 200


def _cc(api, case, *people):
    api.as_("cs_li").post(f"/process-instances/{case['id']}/cc", json={"usernames": list(people)})


def _outbox(app):
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _fail(app, outbox_id, error="550 5.1.1 no such mailbox"):
    with app.app_context():
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(
            status=FAILED, attempts=8, last_error=error))
        db.session.commit()


def test_the_log_lists_filters_and_resends(app, client, auth, api, app_clock):
    case = start(api)
    _cc(api, case, "merch_zhao", "director")
    rows = _outbox(app)
    assert len(rows) >= 2 and {r.status for r in rows} == {PENDING}
    failed = rows[-1]
    _fail(app, failed.id)
    auth.login("admin")
    html = client.get("/admin/deliveries").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'id="delivery-(\d+)"', html)]
    assert ids == sorted((r.id for r in rows), reverse=True)
    assert "550 5.1.1 no such mailbox" in html and case["title"] in html
    assert re.search(r'data-kind="cc">事项抄送给我</span>', html), "the kind in words, not its code"
    assert html.count("delivery-resend") == 1
    only_failed = client.get("/admin/deliveries?status=failed").get_data(as_text=True)
    assert re.findall(r'id="delivery-(\d+)"', only_failed) == [str(failed.id)]
    assert re.findall(r'id="delivery-(\d+)"', client.get("/admin/deliveries?channel=wecom").get_data(
        as_text=True)) == []
    assert client.get("/admin/deliveries?status=lost").status_code == 422
    app_clock.advance(minutes=5)
    response = client.post(f"/admin/deliveries/{failed.id}/resend", data={
        "csrf_token": csrf_token(client, "/admin/deliveries"), "next": "/admin/deliveries?status=failed"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/deliveries?status=failed")
    after = [r for r in _outbox(app) if r.id == failed.id][0]
    assert (after.status, after.attempts, after.available_at) == (PENDING, 0, app_clock())
    with app.app_context():
        resent = select(AuditEvent.message).where(AuditEvent.event_type == "delivery_resent")
        assert db.session.scalar(resent) == f"#{failed.id}"
    again = client.post(f"/admin/deliveries/{failed.id}/resend", data={
        "csrf_token": csrf_token(client, "/admin/deliveries")}, follow_redirects=True)
    assert "only a failed message is sent again" in again.get_data(as_text=True) or \
        "只有发送失败的消息" in again.get_data(as_text=True)


def test_the_admin_page_counts_failed_messages(app, client, auth, api):
    case = start(api)
    _cc(api, case, "merch_zhao")
    _fail(app, _outbox(app)[-1].id)
    auth.login("admin")
    html = client.get("/admin/").get_data(as_text=True)
    assert "/admin/deliveries" in html


def test_only_administrators_see_or_resend(app, client, auth, api):
    case = start(api)
    _cc(api, case, "merch_zhao")
    row = _outbox(app)[-1]
    _fail(app, row.id)
    auth.login("director")
    assert client.get("/admin/deliveries").status_code == 403
    response = client.post(f"/admin/deliveries/{row.id}/resend",
                           data={"csrf_token": csrf_token(client, "/tasks")})
    assert response.status_code == 403
    assert _outbox(app)[-1].status == FAILED


def test_english_log(app, client, auth, api, app_clock):
    case = start(api)
    _cc(api, case, "merch_zhao")
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(
            status=SENT, sent_at=app_clock() + timedelta(seconds=3), attempts=1))
        db.session.commit()
    auth.login("admin")
    client.post("/account/language", data={"csrf_token": csrf_token(client, "/tasks"), "locale": "en"})
    html = client.get("/admin/deliveries").get_data(as_text=True)
    assert "Delivery log" in html and "Sent" in html and "merch_zhao@opsflow.example" in html
    assert 'data-kind="cc">I am cc’d on a case</span>' in html
