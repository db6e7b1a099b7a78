"""JSON API of the in-app inbox: my notifications, mark one read (only my own), mark all read; held
to the published description."""
from __future__ import annotations

from .test_api_instances import start
from .test_openapi import conforming, document  # noqa: F401  (the description, served)


def test_a_cc_lands_in_the_inbox_and_is_marked_read(api, document):  # noqa: F811
    check = conforming(document)
    case = start(api)
    api.as_("cs_li").post(f"/process-instances/{case['id']}/cc", json={"usernames": ["merch_zhao"],
                                                                       "note": "请关注"})
    page = check(api.as_("merch_zhao").get("/notifications?unread=1"), "NotificationPage", 200)
    assert (page["total"], page["unread"]) == (1, 1)
    [entry] = page["items"]
    assert (entry["kind"], entry["instance_id"], entry["actor"], entry["message"], entry["unread"]) == (
        "cc", case["id"], "cs_li", "请关注", True)
    assert entry["title"] == case["title"] and entry["business_key"] == case["business_key"]
    assert api.as_("cs_li").get("/notifications").get_json()["items"] == []  # not told of her own cc
    path = f"/notifications/{entry['id']}/read"
    check(api.as_("cs_li").post(path), "Error", 404)  # not hers
    check(api.as_("merch_zhao").post("/notifications/999999/read"), "Error", 404)
    read = check(api.as_("merch_zhao").post(path), "Notification", 200)
    assert read["unread"] is False and read["read_at"] is not None
    assert api.as_("merch_zhao").get("/notifications?unread=1").get_json()["items"] == []
    assert api.as_("merch_zhao").get("/notifications").get_json()["total"] == 1
    check(api.as_("merch_zhao").get("/notifications?unread=maybe"), "Error", 400)
    check(api.as_("merch_zhao").get("/notifications?per_page=0"), "Error", 422)


def test_read_all(api, document):  # noqa: F811
    check = conforming(document)
    for _ in range(2):
        case = start(api)
        api.as_("cs_li").post(f"/process-instances/{case['id']}/cc", json={"usernames": ["merch_zhao"]})
    assert api.as_("merch_zhao").get("/notifications").get_json()["unread"] == 2
    done = check(api.as_("merch_zhao").post("/notifications/read-all"), "AllRead", 200)
    assert done == {"marked": 2, "unread": 0}
    assert check(api.as_("merch_zhao").post("/notifications/read-all"), "AllRead", 200)["marked"] == 0
