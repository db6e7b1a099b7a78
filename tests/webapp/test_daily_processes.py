"""The daily hand-offs from the web: an expense claim is started with its receipt photos (which
become the case's files) for a direct store only; without a receipt, or naming an advance that is not
the claimant's, it is refused beside the field; a store inspection's checklist rows come in as rows."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from engine.models import Attachment, ProcessInstance
from tests.webapp.test_processes import errors, token
from webapp.extensions import db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CLAIM = {"store_code": "SH001", "claim_type": "expense", "purpose": "门店耗材",
         "claim_lines.0.category": "store_supplies", "claim_lines.0.expense_date": "2026-10-28",
         "claim_lines.0.amount": "386.5", "claim_lines.0.note": "购物袋"}


def started(app) -> list[tuple[str, int]]:
    with app.app_context():
        return [(c.process_key, len(db.session.scalars(select(Attachment).where(
            Attachment.instance_id == c.id)).all())) for c in db.session.scalars(select(ProcessInstance))]


def test_an_expense_claim_is_started_with_its_receipts(app, client, auth):
    auth.login("manager_sh001")
    html = client.get("/processes/expense_claim").get_data(as_text=True)
    assert 'value="SH001"' in html and 'name="photos"' in html and 'name="claim_lines.0.amount"' in html
    response = client.post("/processes/expense_claim", content_type="multipart/form-data", data={
        "csrf_token": token(client), **CLAIM})
    assert response.status_code == 422
    assert "f-photos" in errors(response.get_data(as_text=True))
    response = client.post("/processes/expense_claim", content_type="multipart/form-data", data={
        "csrf_token": token(client), **CLAIM, "offset_advance": "EX-20261102-00009",
        "photos": [(io.BytesIO(PNG), "receipt.png")]})
    assert response.status_code == 422
    assert errors(response.get_data(as_text=True))["f-offset_advance"] == "这不是您本人已付款的借支单。"
    response = client.post("/processes/expense_claim", content_type="multipart/form-data", data={
        "csrf_token": token(client), **CLAIM, "photos": [(io.BytesIO(PNG), "receipt.png")]})
    assert response.status_code == 303
    assert started(app) == [("expense_claim", 1)]


def test_a_franchise_store_is_not_offered_for_an_expense_claim(client, auth):
    auth.login("trainer_sun")
    html = client.get("/processes/expense_claim").get_data(as_text=True)
    assert 'value="SH001"' in html and 'value="NJ01"' not in html


def test_a_store_inspection_is_started_with_its_checklist(app, client, auth):
    auth.login("supervisor_east")
    rows = {"checklist.0.area": "display", "checklist.0.item": "橱窗陈列", "checklist.0.score": "90",
            "checklist.0.passed": "true",
            "checklist.1.area": "service", "checklist.1.item": "迎宾", "checklist.1.score": "60",
            "checklist.1.passed": "false", "checklist.1.note": "无人迎宾"}
    response = client.post("/processes/store_inspection", data={
        "csrf_token": token(client), "store_code": "SH002", "inspection_date": "2026-11-02", **rows})
    assert response.status_code == 303, errors(response.get_data(as_text=True))
    assert started(app) == [("store_inspection", 0)]
    auth.logout()
    auth.login("manager_sh002")
    assert "整改" in client.get("/tasks").get_data(as_text=True)


def test_the_store_rectifies_each_item_on_its_task_page_and_the_inspector_rechecks(app, client, auth, api):
    checklist = [{"area": "display", "item": "橱窗陈列", "score": 60, "passed": False, "note": "橱窗过季"},
                 {"area": "stock", "item": "仓库分区", "score": 65, "passed": False, "note": "未分区"}]
    start = api.as_("supervisor_east").post("/processes/store_inspection/instances", json={"data": {
        "store_code": "SH002", "inspection_date": "2026-11-02", "checklist": checklist}}).get_json()
    tasks = [t["id"] for t in start["open_tasks"]]
    assert [t["element_id"] for t in start["open_tasks"]] == ["rectify", "rectify"]
    auth.login("manager_sh002")
    for task in tasks:
        path = f"/tasks/{task}"
        html = client.get(path).get_data(as_text=True)
        assert ("橱窗过季" in html or "未分区" in html) and 'name="rectification_note"' in html
        assert 'name="photos"' in html and 'name="finding_note"' not in html  # shown, not edited
        response = client.post(path, content_type="multipart/form-data", data={
            "csrf_token": token(client, path), "rectification_note": "已整改",
            "rectified_date": "2026-11-05", "photos": [(io.BytesIO(PNG), "after.png")]})
        assert response.status_code == 303
    assert started(app) == [("store_inspection", 2)]
    auth.logout()
    auth.login("supervisor_east")
    listed = client.get("/tasks").get_data(as_text=True)
    [recheck] = re.findall(r'data-task-id="(\d+)"', listed)  # the supervisor's one task: 复检
    path = f"/tasks/{recheck}"
    html = client.get(path).get_data(as_text=True)
    assert 'name="recheck_items.1.passed"' in html and "data-add-row" not in html
    response = client.post(path, data={
        "csrf_token": token(client, path), "recheck_date": "2026-11-06",
        "recheck_items.0.passed": "true", "recheck_items.1.passed": "false",
        "recheck_items.1.recheck_note": ""})
    assert response.status_code == 422
    assert "f-recheck_items-1-recheck_note" in errors(response.get_data(as_text=True))
    response = client.post(path, data={
        "csrf_token": token(client, path), "recheck_date": "2026-11-06",
        "recheck_items.0.passed": "true", "recheck_items.1.passed": "true"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(ProcessInstance.outcome)).all() == ["completed"]


def test_a_claim_is_approved_and_paid_on_the_task_pages(app, client, auth, api):
    lines = [{"category": "display", "expense_date": "2026-10-20", "amount": 12800, "note": "冬季橱窗道具"}]
    receipt = str(api.as_("manager_sh001").post("/attachments", content_type="multipart/form-data", data={
        "file": (io.BytesIO(PNG), "receipt.png")}).get_json()["id"])
    start = api.as_("manager_sh001").post("/processes/expense_claim/instances", json={"data": {
        "store_code": "SH001", "claim_type": "expense", "purpose": "冬季橱窗", "claim_lines": lines,
        "photos": [receipt]}}).get_json()
    [approval] = [t["id"] for t in start["open_tasks"]]
    auth.login("supervisor_east")
    path = f"/tasks/{approval}"
    html = client.get(path).get_data(as_text=True)
    assert "陈列道具" in html and "冬季橱窗道具" in html and 'name="claim_lines.0.amount"' not in html
    response = client.post(path, data={"csrf_token": token(client, path), "approved": "true"})
    assert response.status_code == 303
    auth.logout()
    for person in ("director", "finance_wu"):
        auth.login(person)
        [task] = re.findall(r'data-task-id="(\d+)"', client.get("/tasks").get_data(as_text=True))
        path = f"/tasks/{task}"
        response = client.post(path, data={"csrf_token": token(client, path),
                                           "claim_countersign_approved": "true"})
        assert response.status_code == 303
        auth.logout()
    auth.login("finance_wu")
    [task] = re.findall(r'data-task-id="(\d+)"', client.get("/tasks").get_data(as_text=True))
    path = f"/tasks/{task}"
    html = client.get(path).get_data(as_text=True)
    assert "应付金额" in html and "12,800" in html
    response = client.post(path, data={"csrf_token": token(client, path), "payment_method": "bank_transfer",
                                       "payment_no": "PAY-1", "paid_date": "2026-11-05"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(ProcessInstance.outcome)).all() == ["paid"]


def test_the_claim_form_offers_the_claimants_open_advances_to_offset(app, client, auth, api):
    lines = [{"category": "travel", "expense_date": "2026-11-20", "amount": 3000}]
    advance = api.as_("manager_sh001").post("/processes/expense_claim/instances", json={"data": {
        "store_code": "SH001", "claim_type": "advance", "purpose": "巡店差旅借支",
        "claim_lines": lines}}).get_json()
    approved = api.as_("supervisor_east").post(f"/tasks/{advance['open_tasks'][0]['id']}/complete",
                                               json={"data": {"approved": True}}).get_json()
    api.as_("finance_wu").post(f"/tasks/{approved['open_tasks'][0]['id']}/complete", json={"data": {
        "payment_method": "cash", "payment_no": "ADV-1", "paid_date": "2026-11-03"}})
    key = advance["business_key"]
    auth.login("manager_sh001")
    html = client.get("/processes/expense_claim").get_data(as_text=True)
    assert f'<option value="{key}">{key} · ¥3,000.00 · 巡店差旅借支</option>' in html
    response = client.post("/processes/expense_claim", content_type="multipart/form-data", data={
        "csrf_token": token(client), **CLAIM, "offset_advance": key, "photos": [(io.BytesIO(PNG), "r.png")]})
    assert response.status_code == 303
    assert key not in client.get("/processes/expense_claim").get_data(as_text=True)  # held by the claim
    auth.logout()
    auth.login("manager_sh002")
    assert key not in client.get("/processes/expense_claim").get_data(as_text=True)  # not theirs
