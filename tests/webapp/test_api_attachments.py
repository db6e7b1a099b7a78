"""Files through the JSON API: an expense claim started by an API client with the receipt it uploaded
first (and refused without one), the store's rectification photos named by a step, the same
visibility, limits and removal as in the browser, and a refused upload keeping nothing."""
from __future__ import annotations

import io

import pytest

from .conftest import Api
from .test_attachments import JPEG, PNG, stored

LINES = [{"category": "display", "expense_date": "2026-10-20", "amount": 128, "note": "橱窗道具"}]
CLAIM = {"store_code": "SH001", "claim_type": "expense", "purpose": "冬季橱窗", "claim_lines": LINES}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(request):
    """The app and its API on SQLite and on PostgreSQL."""
    app = request.getfixturevalue("app" if request.param == "sqlite" else "postgres_app")
    return app, Api(app.test_client())


def send(api: Api, who: str, content: bytes, name: str = "receipt.png", **context: str):
    return api.as_(who).post("/attachments", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(content), name), **context})


def delete(app, api: Api, who: str, attachment_id: int):
    return app.test_client().delete(f"/api/v1/attachments/{attachment_id}",
                                    headers={"Authorization": f"Bearer {api.token(who)}"})


def content_of(api: Api, who: str, attachment_id: int):
    response = api.as_(who).get(f"/attachments/{attachment_id}/content")
    body = response.get_data()
    response.close()
    return response.status_code, body


def test_an_expense_claim_started_with_the_receipt_uploaded_through_the_api(served):
    app, api = served
    refused = api.as_("manager_sh001").post("/processes/expense_claim/instances", json={"data": CLAIM})
    assert refused.status_code == 422 and "photos" in refused.get_json()["fields"]
    uploaded = send(api, "manager_sh001", PNG, "发票.png")
    assert uploaded.status_code == 201, uploaded.get_json()
    receipt = uploaded.get_json()
    assert (receipt["name"], receipt["type"], receipt["size"], receipt["instance_id"]) == (
        "发票.png", "image/png", len(PNG), None)
    assert uploaded.headers["Location"].endswith(f"/api/v1/attachments/{receipt['id']}")
    assert api.as_("supervisor_east").get(f"/attachments/{receipt['id']}").status_code == 404  # waits: mine
    case = api.as_("manager_sh001").post("/processes/expense_claim/instances",  # a number, as the form's text
                                         json={"data": {**CLAIM, "photos": [receipt["id"]]}})
    assert case.status_code == 201, case.get_json()
    case_id = case.get_json()["id"]
    seen = api.as_("supervisor_east").get(f"/attachments/{receipt['id']}")
    assert seen.status_code == 200 and seen.get_json()["instance_id"] == case_id
    assert content_of(api, "supervisor_east", receipt["id"]) == (200, PNG)
    for outsider in ("manager_sh002", "franchisee_nj01"):
        assert api.as_(outsider).get(f"/attachments/{receipt['id']}").status_code == 404
        assert content_of(api, outsider, receipt["id"])[0] == 404


def test_a_start_naming_files_not_uploaded_or_not_mine_is_refused_and_changes_nothing(served):
    app, api = served
    theirs = send(api, "manager_sh002", JPEG, "b.jpg").get_json()["id"]
    before = stored(app)
    for photos, field in (([theirs], "photos.0"), (["999999"], "photos.0"), (["x"], "photos.0")):
        refused = api.as_("manager_sh001").post("/processes/expense_claim/instances",
                                                json={"data": {**CLAIM, "photos": photos}})
        assert refused.status_code == 422, refused.get_json()
        assert field in refused.get_json()["fields"]
    assert stored(app) == before
    assert api.as_("manager_sh001").get("/process-instances").get_json()["total"] == 0
    assert api.as_("manager_sh002").get(f"/attachments/{theirs}").get_json()["instance_id"] is None


@pytest.mark.parametrize("content, name, status, reason", [
    (b"#!/bin/sh\nrm -rf /", "evil.png", 415, "不接受此文件类型"),
    (b"", "empty.png", 422, "文件是空的"),
])
def test_the_limits_answer_their_status_and_keep_nothing(served, content, name, status, reason):
    app, api = served
    before = stored(app)
    refused = send(api, "manager_sh001", content, name)
    assert refused.status_code == status, refused.get_json()
    assert "file" in refused.get_json()["fields"]
    assert stored(app) == before


def test_a_file_over_the_size_limit_is_a_413_and_kept_nowhere(served):
    app, api = served
    app.config["ATTACHMENT_MAX_BYTES"] = 1000
    before = stored(app)
    refused = send(api, "manager_sh001", PNG + b"\0" * 1000)
    assert refused.status_code == 413 and "file" in refused.get_json()["fields"]
    missing = api.as_("manager_sh001").post("/attachments", content_type="multipart/form-data", data={})
    assert missing.status_code == 422 and "file" in missing.get_json()["fields"]
    assert stored(app) == before


def test_a_step_names_the_photos_uploaded_for_it_and_files_added_on_a_task(served):
    app, api = served
    checklist = [{"area": "display", "item": "橱窗陈列", "score": 60, "passed": False, "note": "橱窗过季"}]
    start = api.as_("supervisor_east").post("/processes/store_inspection/instances", json={"data": {
        "store_code": "SH002", "inspection_date": "2026-11-02", "checklist": checklist}}).get_json()
    [task] = [t["id"] for t in start["open_tasks"]]
    on_task = send(api, "manager_sh002", JPEG, "现场.jpg", task_id=str(task))
    assert on_task.status_code == 201 and on_task.get_json()["instance_id"] == start["id"]
    assert send(api, "manager_sh001", JPEG, "x.jpg", task_id=str(task)).status_code == 404
    wrong = send(api, "manager_sh002", JPEG, "x.jpg", task_id=str(task), instance_id="999")
    assert wrong.status_code == 422 and "task_id" in wrong.get_json()["fields"]
    after = send(api, "manager_sh002", PNG, "整改后.png").get_json()["id"]
    done = api.as_("manager_sh002").post(f"/tasks/{task}/complete", json={"data": {
        "rectification_note": "已整改", "rectified_date": "2026-11-05",
        "photos": [str(after), str(on_task.get_json()["id"])]}})
    assert done.status_code == 200, done.get_json()
    assert api.as_("supervisor_east").get(f"/attachments/{after}").get_json()["instance_id"] == start["id"]


def test_removal_as_in_the_browser(served):
    app, api = served
    mine = send(api, "manager_sh001", PNG).get_json()["id"]
    assert delete(app, api, "manager_sh002", mine).status_code == 404
    case = api.as_("manager_sh001").post("/processes/expense_claim/instances",
                                         json={"data": {**CLAIM, "photos": [mine]}}).get_json()
    assert delete(app, api, "supervisor_east", mine).status_code == 403
    extra = send(api, "manager_sh001", JPEG, instance_id=str(case["id"])).get_json()["id"]
    removed = delete(app, api, "manager_sh001", extra)
    assert removed.status_code == 200 and removed.get_json() == {"id": extra, "deleted": True}
    assert api.as_("manager_sh001").get(f"/attachments/{extra}").status_code == 404
    assert stored(app)[0] == 1 and len(stored(app)[1]) == 1
