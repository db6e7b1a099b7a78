"""JSON API of my notification preferences: defaults, a partial change, nonsense refused whole;
held to the published description."""
from __future__ import annotations

from .test_api_instances import start
from .test_openapi import conforming, document  # noqa: F401  (the description, served)


def test_defaults_then_a_partial_change(api, document):  # noqa: F811
    check = conforming(document)
    me = api.as_("merch_zhao")
    prefs = check(me.get("/me/notification-preferences"), "NotificationPreferences", 200)
    assert prefs["switches"]["cc"] == {"inbox": True, "email": False}
    assert prefs["quiet_hours"] == {"enabled": True, "start": "22:00", "end": "08:00",
                                    "timezone": "Asia/Shanghai"}
    saved = check(me.put("/me/notification-preferences", json={
        "switches": {"cc": {"email": True, "inbox": False}}, "quiet_hours": {"start": "23:00"}}),
        "NotificationPreferences", 200)
    assert saved["switches"]["cc"] == {"inbox": False, "email": True}
    assert saved["quiet_hours"]["start"] == "23:00" and saved["quiet_hours"]["end"] == "08:00"
    assert me.get("/me/notification-preferences").get_json() == saved
    assert api.as_("cs_li").get("/me/notification-preferences").get_json()["switches"]["cc"]["inbox"] is True
    case = start(api)
    api.as_("cs_li").post(f"/process-instances/{case['id']}/cc", json={"usernames": ["merch_zhao"]})
    assert me.get("/notifications").get_json()["total"] == 0  # cc kept out of her inbox


def test_nonsense_is_refused_whole(api, document):  # noqa: F811
    check = conforming(document)
    me = api.as_("merch_zhao")
    refused = check(me.put("/me/notification-preferences", json={
        "switches": {"cc": {"email": True}, "fax": {"inbox": True}}, "quiet_hours": {"end": "8am"}}),
        "Error", 422)
    assert set(refused["fields"]) == {"switches.fax", "quiet_hours.end"}
    assert me.get("/me/notification-preferences").get_json()["switches"]["cc"]["email"] is False
    check(me.put("/me/notification-preferences", data="[1]", content_type="application/json"), "Error", 400)
    assert api._client.get("/api/v1/me/notification-preferences").status_code == 401  # noqa: SLF001
