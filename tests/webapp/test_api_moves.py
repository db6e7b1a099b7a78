"""JSON API: 撤回 withdraw, 抄送 cc (and the list of cases cc'd to me), 催办 urge; each held to the
published description, with who may not."""
from __future__ import annotations

from .test_api_instances import INVESTIGATION, error, start
from .test_openapi import conforming, document  # noqa: F401  (the description, served)


def test_the_starter_withdraws_others_may_not(api, document):  # noqa: F811
    check = conforming(document)
    case = start(api)
    path = f"/process-instances/{case['id']}/withdraw"
    check(api.as_("director").post(path, json={"reason": "x"}), "Error", 403)  # a supervisor, not the starter
    check(api.as_("manager_sh001").post(path, json={"reason": "x"}), "Error", 403)
    check(api.as_("manager_sh002").post(path, json={"reason": "x"}), "Error", 404)  # cannot see it
    check(api.as_("cs_li").post(path, json={"reason": "  "}), "Error", 422)
    check(api.as_("cs_li").post(path, json={"reason": 5}), "Error", 400)
    done = check(api.as_("cs_li").post(path, json={"reason": "顾客撤诉"}), "Instance", 200)
    assert (done["status"], done["outcome"], done["open_tasks"]) == ("withdrawn", "withdrawn", [])
    again = check(api.as_("cs_li").post(path, json={"reason": "again"}), "Error", 409)
    assert again["error"] == "conflict"
    listed = api.as_("director").get("/process-instances?status=withdrawn").get_json()
    assert [c["id"] for c in listed["items"]] == [case["id"]]
    events = api.as_("cs_li").get(f"/process-instances/{case['id']}").get_json()["events"]
    [withdrawn] = [e for e in events if e["event_type"] == "withdrawn"]
    assert (withdrawn["actor"], withdrawn["message"]) == ("cs_li", "顾客撤诉")


def test_a_finished_case_cannot_be_withdrawn(api):
    case = start(api)
    api.as_("director").post(f"/process-instances/{case['id']}/terminate", json={"reason": "重复"})
    error(api.as_("cs_li").post(f"/process-instances/{case['id']}/withdraw", json={"reason": "x"}), 409)


def test_cc_by_hand_and_the_cc_list(api, document, deputy_sh001):  # noqa: F811
    check = conforming(document)
    case = start(api)
    path = f"/process-instances/{case['id']}/cc"
    error(api.as_("merch_zhao").get(f"/process-instances/{case['id']}"), 404)
    check(api.as_("merch_zhao").post(path, json={"usernames": ["cs_wang"]}), "Error", 404)
    check(api.as_("cs_li").post(path, json={"usernames": "merch_zhao"}), "Error", 400)
    check(api.as_("cs_li").post(path, json={"usernames": []}), "Error", 422)
    check(api.as_("cs_li").post(path, json={"usernames": ["nobody"]}), "Error", 422)
    done = check(api.as_("cs_li").post(path, json={"usernames": ["merch_zhao"], "note": "请关注"}),
                 "CcDone", 201)
    assert done == {"instance_id": case["id"], "cc": ["merch_zhao"]}
    inbox = check(api.as_("merch_zhao").get("/cc"), "CcPage", 200)
    assert inbox["unread"] == 1 and inbox["total"] == 1
    [entry] = inbox["items"]
    assert (entry["instance"]["id"], entry["by"], entry["note"], entry["unread"]) == (
        case["id"], "cs_li", "请关注", True)
    check(api.as_("merch_zhao").get("/cc?unread=maybe"), "Error", 400)
    # reading the case marks it read; the cc'd person may read but not act
    detail = check(api.as_("merch_zhao").get(f"/process-instances/{case['id']}"), "InstanceDetail", 200)
    assert not detail["may_supervise"]
    after = api.as_("merch_zhao").get("/cc").get_json()
    assert after["unread"] == 0 and after["items"][0]["read_at"] is not None
    assert api.as_("merch_zhao").get("/cc?unread=true").get_json()["items"] == []
    task_id = case["open_tasks"][0]["id"]
    task = api.as_("merch_zhao").get(f"/tasks/{task_id}").get_json()
    assert task["actions"] == ["comment"] and not task["may_act"]
    error(api.as_("merch_zhao").post(f"/tasks/{task_id}/claim"), 403)
    check(api.as_("merch_zhao").post(path, json={"usernames": ["cs_wang"]}), "Error", 403)  # only reads
    # the pool holder who has not taken the step takes no part yet; once they complete it, they do
    check(api.as_("manager_sh001").post(path, json={"usernames": ["cs_wang"]}), "Error", 403)
    api.as_("manager_sh001").post(f"/tasks/{task_id}/complete", json={"data": INVESTIGATION})
    check(api.as_("manager_sh001").post(path, json={"usernames": ["cs_wang"]}), "CcDone", 201)
    assert "cc" in api.as_("manager_sh001").get(f"/tasks/{task_id}").get_json()["actions"]


def test_urge_once_an_hour(api, app_clock, document):  # noqa: F811
    check = conforming(document)
    case = start(api)
    task_id = case["open_tasks"][0]["id"]
    path = f"/tasks/{task_id}/urge"
    check(api.as_("manager_sh001").post(path, json={"note": "x"}), "Error", 403)  # the holder's pool
    check(api.as_("merch_zhao").post(path, json={}), "Error", 404)
    check(api.as_("cs_li").post(path, json={"note": 1}), "Error", 400)
    assert "urge" in api.as_("cs_li").get(f"/tasks/{task_id}").get_json()["actions"]
    urged = check(api.as_("cs_li").post(path, json={"note": "顾客在等"}), "Urged", 200)
    assert urged["task_id"] == task_id and "manager_sh001" in urged["told"]
    response = api.as_("cs_li").post(path, json={"note": "again"})
    too_soon = check(response, "Error", 429)
    assert too_soon["error"] == "too_soon" and response.headers["Retry-After"] == "3600"
    check(api.as_("director").post(path, json={}), "Urged", 200)  # someone else may
    app_clock.advance(hours=1)
    check(api.as_("cs_li").post(path, json=None), "Urged", 200)
    history = api.as_("cs_li").get(f"/process-instances/{case['id']}").get_json()["events"]
    assert [e["actor"] for e in history if e["event_type"] == "task_urged"] == ["cs_li", "director", "cs_li"]
    api.as_("manager_sh001").post(f"/tasks/{task_id}/complete", json={"data": INVESTIGATION})
    check(api.as_("director").post(path, json={}), "Error", 409)
