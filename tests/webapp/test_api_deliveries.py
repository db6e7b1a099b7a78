"""JSON API of the delivery log: administrators list the outbox (filtered) and resend a failed
message; nobody else may; held to the published description."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from engine.models import FAILED, OutboxMessage
from webapp.extensions import db

from .test_api_instances import start
from .test_openapi import conforming, document  # noqa: F401  (the description, served)


@pytest.fixture(autouse=True)
def cc_by_mail(api):
    """These tests make mail with a cc, which reaches the inbox only unless its reader asks for mail."""
    for username in ("merch_zhao", "director"):
        assert api.as_(username).put("/me/notification-preferences", json={
            "switches": {"cc": {"email": True}}}).status_code == 200


def test_admin_lists_and_resends(app, api, document):  # noqa: F811
    check = conforming(document)
    case = start(api)
    api.as_("cs_li").post(f"/process-instances/{case['id']}/cc", json={"usernames": ["merch_zhao"]})
    with app.app_context():
        last = db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1))
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == last).values(
            status=FAILED, attempts=8, last_error="550 no such mailbox"))
        db.session.commit()
    page = check(api.as_("admin").get("/admin/deliveries"), "DeliveryPage", 200)
    assert page["items"][0]["id"] == last and page["items"][0]["status"] == "failed"
    assert page["items"][0]["last_error"] == "550 no such mailbox"
    assert page["items"][0]["email"] == "merch_zhao@opsflow.example"
    failed = check(api.as_("admin").get("/admin/deliveries?status=failed"), "DeliveryPage", 200)
    assert [i["id"] for i in failed["items"]] == [last]
    check(api.as_("admin").get("/admin/deliveries?status=gone"), "Error", 422)
    check(api.as_("cs_li").get("/admin/deliveries"), "Error", 403)
    check(api.as_("cs_li").post(f"/admin/deliveries/{last}/resend"), "Error", 403)
    resent = check(api.as_("admin").post(f"/admin/deliveries/{last}/resend"), "Resent", 200)
    assert (resent["status"], resent["attempts"]) == ("pending", 0)
    check(api.as_("admin").post(f"/admin/deliveries/{last}/resend"), "Error", 409)
    check(api.as_("admin").post("/admin/deliveries/999999/resend"), "Error", 404)
