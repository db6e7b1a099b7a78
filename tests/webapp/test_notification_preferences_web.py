"""The notification preferences page (switches per event and channel, quiet hours; Chinese and
English), the reminders as inbox entries, @mentions from a comment, and /outcomes pointing to the
inbox."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from engine import delivery, runtime
from engine.models import User

from .conftest import csrf_token
from .test_api_instances import start


def _page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


def _checked(html):
    return set(re.findall(r'name="([a-z_]+\.(?:inbox|email))"[^>]*? checked', html))


def _prefs(app, username):
    from webapp.extensions import db
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return delivery.notification_preferences(db.session, user)


def test_the_page_shows_every_switch_and_saves_them(app, client, auth):
    auth.login("merch_zhao")
    html = _page(client, "/account/notifications")
    assert "通知设置" in html and "免打扰时段" in html and "每日待办提醒" in html
    switches = _checked(html)
    assert "cc.inbox" in switches and "cc.email" not in switches and "digest.email" in switches
    assert len(switches) == 2 * len(delivery.EVENT_KINDS) - 1
    form = {name: "on" for name in switches - {"digest.email", "claimable.inbox"}}
    response = client.post("/account/notifications", data={
        **form, "cc.email": "on", "quiet_enabled": "on", "quiet_start": "23:00", "quiet_end": "07:30",
        "csrf_token": csrf_token(client, "/account/notifications")})
    assert response.status_code == 303 and response.headers["Location"].endswith("/account/notifications")
    saved = _prefs(app, "merch_zhao")
    assert dict(saved.changed) == {("cc", "email"): True, ("digest", "email"): False,
                                   ("claimable", "inbox"): False}
    assert (saved.quiet_enabled, saved.quiet_start, saved.quiet_end) == (True, "23:00", "07:30")
    html = _page(client, "/account/notifications")
    assert "通知设置已保存" in html and 'value="23:00"' in html and "cc.email" in _checked(html)


def test_a_bad_time_is_refused_and_nothing_saved_and_the_page_in_english(app, client, auth):
    auth.login("merch_zhao")
    response = client.post("/account/notifications", data={
        "quiet_start": "late", "quiet_end": "07:00",
        "csrf_token": csrf_token(client, "/account/notifications")})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="quiet-start-error"' in html and 'value="late"' in html
    assert _prefs(app, "merch_zhao").changed == {}
    client.post("/account/language", data={"locale": "en", "csrf_token": csrf_token(client)})
    html = _page(client, "/account/notifications")
    assert "Notification preferences" in html and "Quiet hours" in html and "Daily to-do digest" in html
    assert 'href="/account/notifications"' in _page(client, "/account")
    assert 'id="inbox-settings"' in _page(client, "/inbox")


def test_reminders_and_mentions_land_in_the_inbox(app, app_clock, client, auth, api):
    from webapp.extensions import db, engine
    case = start(api)  # assigned to SH001's manager
    api.as_("cs_li").post(f"/process-instances/{case['id']}/comments",
                          json={"body": "@manager_sh001 请尽快处理"})
    app_clock.advance(minutes=1)
    with app.app_context():
        told = runtime.run_reminders(engine(), sessionmaker(bind=db.engine, expire_on_commit=False),
                                     due_soon=timedelta(hours=4), digest_at="09:00")
    assert told == 1  # the digest: it is 09:01 in Shanghai
    auth.login("manager_sh001")
    html = _page(client, "/inbox")
    assert "在评论中提到了你" in html and "请尽快处理" in html
    assert "今日待办：1 项待办，0 项已超期" in html
    kinds = dict((k, i) for i, k in re.findall(r'data-notification-id="(\d+)" data-kind="(\w+)"', html))
    response = client.post(f"/inbox/{kinds['digest']}/open",
                           data={"csrf_token": csrf_token(client, "/inbox")})
    assert response.status_code == 303 and response.headers["Location"].endswith("/tasks")
    response = client.post(f"/inbox/{kinds['mentioned']}/open",
                           data={"csrf_token": csrf_token(client, "/inbox")})
    assert response.headers["Location"].endswith(f"/cases/{case['id']}")


def test_outcomes_point_to_the_inbox(client, auth):
    auth.login("cs_li")
    html = _page(client, "/outcomes")
    assert 'id="outcomes-inbox"' in html and 'href="/inbox"' in html
