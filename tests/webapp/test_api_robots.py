"""The group robots' API (issue 12): administrators only, the secret never in an answer, refusals
field by field, a test message to a real local robot."""
from __future__ import annotations

from tests.robot_endpoint import start_endpoint, stop_endpoint

ROBOT = {"name": "华东区群", "kind": "feishu", "scope": "region", "scope_value": "EAST",
         "url": "https://open.feishu.cn/open-apis/bot/v2/hook/h", "secret": "TOP-SECRET",
         "events": ["task_overdue", "case_ended"]}


def _call(api, method, path, json=None):
    user = api.as_("admin")
    return user._client.open(f"/api/v1{path}", method=method, headers=user._headers, json=json)


def test_add_list_change_delete_without_ever_showing_the_secret(api):
    created = api.as_("admin").post("/admin/robots", json=ROBOT)
    assert created.status_code == 201
    robot = created.get_json()
    shown = ("name", "kind", "scope", "scope_value", "has_secret", "events", "active")
    assert {k: robot[k] for k in shown} == {
        "name": "华东区群", "kind": "feishu", "scope": "region", "scope_value": "EAST", "has_secret": True,
        "events": ["task_overdue", "case_ended"], "active": True}
    assert "TOP-SECRET" not in created.get_data(as_text=True)
    listed = api.as_("admin").get("/admin/robots")
    assert [r["id"] for r in listed.get_json()["items"]] == [robot["id"]]
    assert "TOP-SECRET" not in listed.get_data(as_text=True)
    changed = _call(api, "PUT", f"/admin/robots/{robot['id']}", {**ROBOT, "secret": "", "active": False})
    assert changed.status_code == 200 and changed.get_json()["has_secret"] is True
    assert changed.get_json()["active"] is False
    cleared = _call(api, "PUT", f"/admin/robots/{robot['id']}",
                    {**ROBOT, "secret": None, "clear_secret": True})
    assert cleared.get_json()["has_secret"] is False
    deleted = _call(api, "DELETE", f"/admin/robots/{robot['id']}")
    assert deleted.get_json() == {"id": robot["id"], "deleted": True}
    assert api.as_("admin").get(f"/admin/robots/{robot['id']}").status_code == 404


def test_refusals(api):
    bad = api.as_("admin").post("/admin/robots", json={**ROBOT, "scope_value": "SOUTH", "url": "ftp://x"})
    assert bad.status_code == 422
    assert set(bad.get_json()["fields"]) == {"scope_value", "url"}
    assert api.as_("admin").post("/admin/robots", json={**ROBOT, "events": "all"}).status_code == 400
    assert api.as_("admin").post("/admin/robots", json={**ROBOT, "active": "yes"}).status_code == 400
    assert api.as_("supervisor_east").get("/admin/robots").status_code == 403
    assert api.as_("supervisor_east").post("/admin/robots", json=ROBOT).status_code == 403
    assert api.as_("admin").get("/admin/robots").get_json() == {"items": []}


def test_a_test_message_reaches_the_robot(api):
    endpoint = start_endpoint()
    try:
        robot = api.as_("admin").post("/admin/robots", json={
            **ROBOT, "url": endpoint.url("/open-apis/bot/v2/hook/h")}).get_json()
        answer = api.as_("admin").post(f"/admin/robots/{robot['id']}/test")
        assert answer.status_code == 200 and answer.get_json() == {"ok": True, "error": None}
        [got] = endpoint.received
        assert got.body["msg_type"] == "interactive" and got.body["sign"]
        endpoint.replies.append((200, {"code": 19021, "msg": "sign match fail"}))
        failed = api.as_("admin").post(f"/admin/robots/{robot['id']}/test").get_json()
        assert failed["ok"] is False and "19021" in failed["error"]
    finally:
        stop_endpoint(endpoint)
