"""JSON API: 退回 (send back). A complaint at SH001: manager_sh001 investigates, a cs_agent follows
up with the customer and sends the case back to the investigation when the plan does not hold."""
from __future__ import annotations

from .test_api_tasks import INVESTIGATION, error, only_task, start
from .test_openapi import conforming, document  # noqa: F401  (the fixture)


def _at_follow_up(api) -> tuple[dict, dict]:
    investigation = only_task(start(api))
    case = api.as_("manager_sh001").post(f"/tasks/{investigation['id']}/complete",
                                         json={"data": INVESTIGATION}).get_json()
    follow_up = only_task(case)
    assert follow_up["element_id"] == "customer_follow_up"
    return investigation, follow_up


def test_send_back_reopens_the_investigation_for_the_manager(api, document):  # noqa: F811
    check = conforming(document)
    investigation, follow_up = _at_follow_up(api)
    detail = check(api.as_("cs_wang").get(f"/tasks/{follow_up['id']}"), "TaskDetail", 200)
    assert "send_back" in detail["actions"]
    assert detail["send_back_targets"] == [{"element_id": "investigate_store", "name": "投诉调查与处理方案",
                                            "completed_by": "manager_sh001"}]
    assert detail["notice"] is None

    reason = "客户不接受道歉，请重新提出方案"
    case = check(api.as_("cs_wang").post(f"/tasks/{follow_up['id']}/send-back",
                                         json={"to": "investigate_store", "reason": reason}), "Instance", 200)
    reopened = only_task(case)
    assert (reopened["element_id"], reopened["assignee"]) == ("investigate_store", "manager_sh001")
    assert reopened["id"] != investigation["id"]

    mine = check(api.as_("manager_sh001").get(f"/tasks/{reopened['id']}"), "TaskDetail", 200)
    assert mine["notice"] == "客户不接受道歉，请重新提出方案"
    assert {k: mine["draft"][k] for k in ("findings", "root_cause", "resolution_type")} == {
        k: INVESTIGATION[k] for k in ("findings", "root_cause", "resolution_type")}
    assert mine["send_back_targets"] == []  # nothing before the first step of people
    [sent] = [e for e in mine["history"] if e["event_type"] == "sent_back"]
    assert (sent["actor"], sent["element_id"], sent["message"]) == (
        "cs_wang", "customer_follow_up", "客户不接受道歉，请重新提出方案")
    assert sent["data"]["to"] == "investigate_store"
    old = api.as_("cs_wang").get(f"/tasks/{follow_up['id']}").get_json()
    assert (old["state"], old["send_back_targets"], "send_back" in old["actions"]) == ("cancelled", [], False)


def test_who_may_not_and_what_is_refused(api, document):  # noqa: F811
    check = conforming(document)
    _, follow_up = _at_follow_up(api)
    url = f"/tasks/{follow_up['id']}/send-back"
    body = {"to": "investigate_store", "reason": "重新调查"}
    # the supervisor sees the case but does not do customer follow-ups
    seen = api.as_("supervisor_east").get(f"/tasks/{follow_up['id']}").get_json()
    assert "send_back" not in seen["actions"] and seen["send_back_targets"] == []
    check(api.as_("supervisor_east").post(url, json=body), "Error", 403)
    error(api.as_("manager_sh002").post(url, json=body), 404)  # may not see it at all
    assert api.as_("cs_li").post(f"/tasks/{follow_up['id']}/claim").status_code == 200
    check(api.as_("cs_wang").post(url, json=body), "Error", 403)  # cs_li holds it now
    assert error(api.as_("cs_li").post(url, json={"to": "investigate_store", "reason": "  "}), 422)[
        "fields"] == {"reason": "必填。"}
    assert error(api.as_("cs_li").post(url, json={"reason": "x"}), 422)["fields"] == {"to": "必填。"}
    assert error(api.as_("cs_li").post(url, json={"to": "customer_follow_up", "reason": "x"}), 422)[
        "fields"] == {"to": "不是此任务路径上的前序步骤。"}
    assert error(api.as_("cs_li").post(url, json={"to": 5, "reason": "x"}), 400)["fields"] == {
        "to": "必须是字符串"}
    assert api.as_("cs_li").post(url, json=body).status_code == 200
    check(api.as_("cs_li").post(url, json=body), "Error", 409)  # not open any more
