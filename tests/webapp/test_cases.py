"""The supervisor's case list and case page through the test client, as the demo cast: who sees
which cases (here and in the JSON API), every filter, the CSV export, the diagram endpoint, and
every action (reason required, CSRF, 403/404, audited, refused when the case has ended)."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from engine.directory.accounts import upsert_store
from engine.models import AuditEvent, ProcessInstance, User
from webapp.extensions import db, engine

COMPLAINT = {"customer_name": "王女士", "customer_phone": "13800138000", "store_code": "SH001",
             "channel": "store", "category": "service", "description": "店员态度不好，结账等了很久",
             "amount_claimed": 0}
RETURN = {"store_code": "NJ01", "return_type": "overstock", "reason": "季末积压",
          "items": [{"sku": "SKU-1001", "name": "春季针织衫", "quantity": 10, "unit_price": 199}]}
OPENING = {"store_code": "SH003", "store_name": "上海静安寺店", "city": "上海", "address": "南京西路1号",
           "area_sqm": 180, "store_type": "direct", "planned_opening_date": "2026-12-20", "budget": 500000}
LAUNCH = {"year": 2027, "season": "spring", "collection_name": "春日系列", "wave": 1, "sku_count": 24,
          "launch_date": "2027-02-01", "target_stores": ["SH001", "SH002"], "forecast_qty": 1200}


def start(app, user: str, process: str, data: dict) -> dict:
    """Start a case through the engine (API tokens would expire while the clock jumps days)."""
    with app.app_context():
        person = db.session.query(User).filter_by(username=user).one()
        view = engine().start(db.session, process, person, data)
        db.session.commit()
        return view.to_dict()


@pytest.fixture
def cast(app, app_clock):
    """Cases of every process, one of them in a store outside EAST (the supervisor's region)."""
    with app.app_context():
        upsert_store(db.session, "BJ001", "北京王府井店", region="NORTH")
        db.session.commit()
    made = {"complaint": start(app, "cs_li", "complaint_handling", COMPLAINT)}
    app_clock.advance(days=2)
    made["north"] = start(app, "cs_li", "complaint_handling", {**COMPLAINT, "store_code": "BJ001",
                                                                "customer_name": "北方客户"})
    made["return"] = start(app, "franchisee_nj01", "product_return", RETURN)
    app_clock.advance(days=2)
    made["opening"] = start(app, "supervisor_east", "store_opening", OPENING)
    made["launch"] = start(app, "merch_zhao", "new_product_launch", LAUNCH)
    return {name: case["id"] for name, case in made.items()} | {"_views": made}


def token(client, path: str = "/cases") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def listed(client, query: str = "") -> list[int]:
    response = client.get(f"/cases{query}")
    assert response.status_code == 200
    return sorted(int(i) for i in re.findall(r'data-case-id="(\d+)"', response.get_data(as_text=True)))


def events(app, case_id: int, kind: str) -> list[AuditEvent]:
    with app.app_context():
        return db.session.query(AuditEvent).filter_by(instance_id=case_id, event_type=kind).all()


def status_of(app, case_id: int) -> str:
    with app.app_context():
        return db.session.get(ProcessInstance, case_id).status


def test_the_pages_need_a_login(client, cast):
    case = cast["complaint"]
    for path in ("/cases", f"/cases/{case}", f"/cases/{case}/diagram.bpmn",
                 "/cases/export.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("user, expected", [
    ("director", {"complaint", "north", "return", "opening", "launch"}),
    ("admin", {"complaint", "north", "return", "opening", "launch"}),
    ("supervisor_east", {"complaint", "return", "opening"}),
    ("cs_manager", {"complaint", "north", "return"}),
    ("cs_li", {"complaint", "north", "return"}),           # started two; may take the return's review
    ("manager_sh001", {"complaint"}),                      # the investigation is theirs to take
    ("merch_zhao", {"launch"}),
    ("manager_sh002", set()),
])
def test_who_sees_which_cases_here_and_in_the_api(client, auth, api, cast, user, expected):
    auth.login(user)
    ids = {cast[name] for name in expected}
    assert set(listed(client)) == ids
    bulk = 'id="bulk-action"' in client.get("/cases").get_data(as_text=True)
    assert bulk == (user in ("director", "admin", "supervisor_east", "cs_manager") and bool(ids))
    for name in ("complaint", "north", "return", "opening", "launch"):
        status = 200 if name in expected else 404
        assert client.get(f"/cases/{cast[name]}").status_code == status
        assert client.get(f"/cases/{cast[name]}/diagram.bpmn").status_code == status
    body = api.as_(user).get("/process-instances?per_page=100").get_json()
    assert {c["id"] for c in body["items"]} == ids
    assert client.get("/cases/999999").status_code == 404


def test_every_filter(client, auth, app_clock, cast):
    auth.login("director")
    c = cast
    assert listed(client, "?process=product_return") == [c["return"]]
    assert listed(client, "?process=complaint_handling&version=1") == sorted([c["complaint"], c["north"]])
    assert listed(client, "?version=2") == []
    assert listed(client, "?store=BJ001") == [c["north"]]
    assert listed(client, "?region=NORTH") == [c["north"]]
    assert listed(client, "?starter=supervisor_east") == [c["opening"]]
    day0 = (app_clock() - timedelta(days=4)).date()
    assert listed(client, f"?start={day0}&end={day0}") == [c["complaint"]]
    later = sorted([c["north"], c["return"], c["opening"], c["launch"]])
    assert listed(client, f"?start={day0 + timedelta(days=2)}") == later
    assert listed(client, "?q=北方客户") == [c["north"]]
    assert listed(client, "?status=running") == sorted([c["complaint"]] + later)
    assert listed(client, "?status=terminated") == []
    # the complaints' investigations and the return's review are due 24 h after they started: late now
    assert listed(client, "?overdue=yes") == sorted([c["complaint"], c["north"], c["return"]])
    assert listed(client, "?overdue=no") == sorted([c["opening"], c["launch"]])
    html = client.get("/cases?sort=due").get_data(as_text=True)
    assert re.findall(r'data-case-id="(\d+)"', html)[0] == str(c["complaint"])
    html = client.get("/cases?per_page=25&sort=oldest&status=bogus&page=x").get_data(as_text=True)
    assert re.findall(r'data-case-id="(\d+)"', html)[0] == str(c["complaint"])  # bad values fall back
    assert len(listed(client, "?per_page=25")) == 5
    response = client.get("/cases?page=9")
    assert response.status_code == 302 and "page" not in response.headers["Location"]


def test_date_filters_are_whole_days_in_the_persons_time_zone(app, client, auth, app_clock):
    from datetime import datetime, timezone
    app_clock.set(datetime(2026, 11, 1, 15, 57, tzinfo=timezone.utc))  # 23:57 on 1 Nov in Shanghai
    late = start(app, "cs_li", "complaint_handling", COMPLAINT)["id"]
    app_clock.set(datetime(2026, 11, 1, 16, 3, tzinfo=timezone.utc))  # 00:03 on 2 Nov in Shanghai
    early = start(app, "cs_li", "complaint_handling", COMPLAINT)["id"]
    auth.login("director")
    assert listed(client, "?start=2026-11-01&end=2026-11-01") == [late]
    assert listed(client, "?start=2026-11-02") == [early]
    assert listed(client, "?start=2026-11-02&end=2026-11-01") == [late, early]  # swapped: both days


def test_rows_show_current_steps_their_holders_age_and_due_state(client, auth, api, cast):
    task_id = cast["_views"]["complaint"]["open_tasks"][0]["id"]
    api.as_("manager_sh001").post(f"/tasks/{task_id}/claim")
    auth.login("director")
    html = client.get("/cases").get_data(as_text=True)
    row = re.search(rf'<tr data-case-id="{cast["complaint"]}".*?</tr>', html, re.S).group(0)
    assert "投诉调查与处理方案" in row and "张店长" in row and 'data-due-state="overdue"' in row
    assert 'data-status="running"' in row and "4" in row  # 4 days old
    assert re.findall(r'data-label="([^"]+)"', row) == ["流程", "状态", "门店", "当前步骤", "发起", "历时",
                                                       "到期状态"]  # a card's labels
    other = re.search(rf'<tr data-case-id="{cast["opening"]}".*?</tr>', html, re.S).group(0)
    # the director is the only ops_director: the approval is his without a claim
    assert 'data-due-state="on_time"' in other and "开业方案审批" in other and "陈总监" in other


def test_csv_export_is_utf8_with_bom_filtered_and_visible_only(app, client, auth, cast):
    start(app, "cs_li", "complaint_handling", {**COMPLAINT, "customer_name": "=HYPERLINK(1)"})
    auth.login("supervisor_east")
    response = client.get("/cases/export.csv?process=complaint_handling")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert len(header) == 16 and len(body) == 2  # the NORTH complaint is not the supervisor's
    titles = [r[1] for r in body]
    assert any(t.startswith("'=HYPERLINK") for t in titles)  # no formula reaches Excel
    assert all(r[0].startswith("CP-") for r in body)
    assert any("投诉调查与处理方案" in r[12] for r in body)


def test_case_page_shows_diagram_state_timeline_data_and_holders(client, auth, api, cast):
    task_id = cast["_views"]["complaint"]["open_tasks"][0]["id"]
    api.as_("manager_sh001").post(f"/tasks/{task_id}/claim")
    auth.login("supervisor_east")
    html = client.get(f"/cases/{cast['complaint']}").get_data(as_text=True)
    state = json.loads(re.search(r'<script type="application/json" id="diagram-state">(.*?)</script>', html,
                                 re.S).group(1))
    assert state["current"] == ["investigate_store"] and state["overdue"] == ["investigate_store"]
    assert {"start", "triage"} <= set(state["completed"]) and state["flows"]
    assert 'data-diagram-url="/cases/%d/diagram.bpmn"' % cast["complaint"] in html
    assert "bpmn-navigated-viewer.production.min.js" in html
    # SH001's only manager got the step directly (her claim changed nothing)
    assert 'id="timeline"' in html and 'data-event="started"' in html and 'data-event="task_assigned"' in html
    assert "王女士" in html and "13800138000" in html  # case data, labelled
    assert "张店长" in html and 'id="supervisor-actions"' in html
    diagram = client.get(f"/cases/{cast['complaint']}/diagram.bpmn")
    assert diagram.mimetype == "application/xml" and b'id="complaint_handling"' in diagram.data
    auth.logout()
    auth.login("manager_sh001")
    html = client.get(f"/cases/{cast['complaint']}").get_data(as_text=True)
    assert 'id="supervisor-actions"' not in html and "Reassign" not in html and "转派" not in html


def act(client, case_id: int, action: str, **form):
    return client.post(f"/cases/{case_id}/{action}", data={"csrf_token": token(client), **form})


def flashed(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def test_case_actions_reason_csrf_permissions_audit(app, client, auth, cast):
    case = cast["complaint"]
    auth.login("supervisor_east")
    assert client.post(f"/cases/{case}/suspend", data={"reason": "x"}).status_code == 400  # no CSRF token
    response = act(client, case, "suspend", reason="  ")
    assert response.status_code == 303 and status_of(app, case) == "running"
    page = flashed(client, f"/cases/{case}")
    assert "alert-danger" in page and "请填写原因" in page  # the flash asks for one
    assert act(client, cast["north"], "suspend", reason="not mine").status_code == 404
    assert act(client, case, "suspend", reason="等待门店盘点").status_code == 303
    assert status_of(app, case) == "suspended"
    assert act(client, case, "resume", reason="盘点完成").status_code == 303
    assert act(client, case, "terminate", reason="重复登记").status_code == 303
    assert status_of(app, case) == "terminated"
    audit = [(e.event_type, e.message) for kind in ("suspended", "resumed", "terminated")
             for e in events(app, case, kind)]
    assert audit == [("suspended", "等待门店盘点"), ("resumed", "盘点完成"), ("terminated", "重复登记")]
    assert act(client, case, "terminate", reason="again").status_code == 303  # refused, back to the page
    assert len(events(app, case, "terminated")) == 1
    assert act(client, case, "explode", reason="x").status_code == 404
    auth.logout()
    auth.login("franchisee_nj01")  # started the return, so sees it, but supervises nothing
    assert act(client, cast["return"], "suspend", reason="try").status_code == 403
    assert act(client, case, "resume", reason="try").status_code == 404


def test_reassign_offers_eligible_people_and_is_audited(app, client, auth, cast):
    case = cast["return"]
    auth.login("cs_manager")
    html = client.get(f"/cases/{case}").get_data(as_text=True)
    task_id = int(re.search(r'data-task-id="(\d+)"', html).group(1))
    picker = re.search(r'<select[^>]*name="assignee"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="([a-z_0-9]+)">', picker)  # not the cc form's colleagues
    assert {"cs_li", "cs_wang"} <= set(options) and "manager_sh001" not in options
    url = f"/cases/{case}/tasks/{task_id}/assign"
    client.post(url, data={"csrf_token": token(client), "assignee": "cs_wang", "reason": ""})
    client.post(url, data={"csrf_token": token(client), "assignee": "manager_sh001", "reason": "wrong role"})
    assert events(app, case, "task_assigned") == []
    other = f"/cases/{cast['complaint']}/tasks/{task_id}/assign"  # a task of another case
    assert client.post(other, data={"csrf_token": token(client), "assignee": "cs_wang",
                                    "reason": "x"}).status_code == 404
    response = client.post(url, data={"csrf_token": token(client), "assignee": "cs_wang",
                                      "reason": "李客服休假"})
    assert response.status_code == 303
    [event] = events(app, case, "task_assigned")
    assert (event.message, event.data["to"]) == ("李客服休假", "cs_wang")
    assert "王客服" in client.get(f"/cases/{case}").get_data(as_text=True)
    auth.logout()
    auth.login("supervisor_east")  # sees the NORTH complaint? no: 404 before anything else
    north_task = cast["_views"]["north"]["open_tasks"][0]["id"]
    response = client.post(f"/cases/{cast['north']}/tasks/{north_task}/assign",
                           data={"csrf_token": token(client), "assignee": "manager_sh001", "reason": "x"})
    assert response.status_code == 404


def test_bulk_actions_each_case_on_its_own(app, client, auth, cast):
    auth.login("supervisor_east")
    ids = [str(cast[n]) for n in ("complaint", "return", "north")]
    response = client.post("/cases/bulk", data={"csrf_token": token(client), "action": "suspend",
                                                    "reason": "", "instance_id": ids})
    assert response.status_code == 303 and status_of(app, cast["complaint"]) == "running"
    response = client.post("/cases/bulk", data={"csrf_token": token(client), "action": "suspend",
                                                    "reason": "月底盘点", "instance_id": ids,
                                                    "next": "/cases?status=running"})
    assert response.status_code == 303 and response.headers["Location"] == "/cases?status=running"
    statuses = [status_of(app, cast[n]) for n in ("complaint", "return", "north")]
    assert statuses == ["suspended", "suspended", "running"]
    page = client.get("/cases").get_data(as_text=True)
    assert f"#{cast['north']}" in page  # the refused one is named
    assert [e.message for e in events(app, cast["return"], "suspended")] == ["月底盘点"]
    client.post("/cases/bulk", data={"csrf_token": token(client), "action": "resume", "reason": "恢复",
                                         "instance_id": ids[:2]})
    assert status_of(app, cast["complaint"]) == "running"
    client.post("/cases/bulk", data={"csrf_token": token(client), "action": "reassign", "reason": "代班",
                                         "assignee": "manager_sh001", "instance_id": ids[:2]})
    by_hand = [e.data["to"] for e in events(app, cast["complaint"], "task_assigned") if e.actor_id]
    assert by_hand == ["manager_sh001"]
    # the return's review is not a manager's
    assert [e for e in events(app, cast["return"], "task_assigned") if e.actor_id] == []
    client.post("/cases/bulk", data={"csrf_token": token(client), "action": "terminate", "reason": "清理",
                                         "instance_id": ids[:1]})
    client.post("/cases/bulk", data={"csrf_token": token(client), "action": "terminate", "reason": "再清理",
                                         "instance_id": ids[:1]})
    assert [e.message for e in events(app, cast["complaint"], "terminated")] == ["清理"]
    assert client.post("/cases/bulk", data={"action": "terminate", "reason": "x",
                                                "instance_id": ids}).status_code == 400


def test_comments_on_the_case_page(app, client, auth, cast):
    auth.login("cs_manager")
    case = cast["return"]
    client.post(f"/cases/{case}/comments", data={"csrf_token": token(client), "body": "请尽快审核"})
    assert [e.message for e in events(app, case, "comment")] == ["请尽快审核"]
    assert "请尽快审核" in client.get(f"/cases/{case}").get_data(as_text=True)
    client.post(f"/cases/{case}/comments", data={"csrf_token": token(client), "body": " "})
    assert len(events(app, case, "comment")) == 1
    assert client.post(f"/cases/{cast['opening']}/comments",
                       data={"csrf_token": token(client), "body": "x"}).status_code == 404


def test_the_case_pages_old_address_leads_to_the_new_one(client, auth):
    auth.login("director")
    listed = client.get("/instances?status=running")
    assert listed.status_code == 308 and listed.headers["Location"].endswith("/cases?status=running")
    page = client.get("/instances/7")
    assert page.status_code == 308 and page.headers["Location"].endswith("/cases/7")
