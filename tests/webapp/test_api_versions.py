"""The API of a process's versions: the list, deploying files (201 new, 200 unchanged, 422 naming the
file and element, nothing stored), the diff of two versions as JSON; administrators only."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from engine.models import ProcessVersion
from tests.model_edits import replace, version_two
from webapp.extensions import db

KEY = "complaint_handling"


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessVersion))


def deploy(user, files: dict[str, str], key: str = KEY, **headers: str):
    data = {"files": [(io.BytesIO(text.encode("utf-8")), name) for name, text in files.items()]}
    return user.post(f"/processes/{key}/versions", json=None, data=data, content_type="multipart/form-data",
                     headers=headers)


def test_versions_listed_deployed_and_compared(app, api):
    admin = api.as_("admin")
    listed = admin.get(f"/processes/{KEY}/versions")
    assert listed.status_code == 200
    [one] = listed.get_json()["items"]
    assert (one["version"], one["current"], one["deployed_by"]) == (1, True, "startup")
    assert {"kind": "bpmn", "filename": "complaint_handling.bpmn"} in one["files"]
    assert set(one) == {"version", "current", "deployed_at", "deployed_by", "checksum", "files", "running",
                        "cases"}

    created = deploy(admin, version_two(), **{"Idempotency-Key": "v2-once"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["version"], body["created"], body["current"]) == (2, True, True)
    assert body["deployed_by"] == "admin"
    assert {"kind": "form", "filename": "review.json"} in body["files"]
    replay = deploy(admin, version_two(), **{"Idempotency-Key": "v2-once"})
    assert replay.status_code == 201 and replay.get_json() == body
    again = deploy(admin, version_two())
    assert again.status_code == 200
    assert (again.get_json()["version"], again.get_json()["created"]) == (2, False)
    assert [v["version"] for v in admin.get(f"/processes/{KEY}/versions").get_json()["items"]] == [2, 1]

    diff = admin.get(f"/processes/{KEY}/versions/2/diff?against=1")
    assert diff.status_code == 200
    result = diff.get_json()
    assert (result["key"], result["from_version"], result["to_version"]) == (KEY, 1, 2)
    assert result["empty"] is False
    statuses = {e["element_id"]: e["status"] for e in result["elements"]}
    assert statuses["review_store"] == "added" and statuses["init_case"] == "removed"
    assert statuses["customer_follow_up"] == "changed"
    follow_up = next(e for e in result["elements"] if e["element_id"] == "customer_follow_up")
    assert {"aspect": "property:dueInHours", "old": "24", "new": "48"} in follow_up["changes"]
    assert [(f["filename"], f["status"]) for f in result["forms"]] == [("investigate.json", "changed"),
                                                                      ("review.json", "added")]
    [triage] = result["decisions"]
    assert triage["rules"][0]["changes"] == [{"aspect": "input:amount_claimed", "old": ">= 5000",
                                              "new": ">= 3000"}]
    assert result["files"] == [{"aspect": "review.json", "old": None, "new": "form"}]
    assert admin.get(f"/processes/{KEY}/versions/2/diff?against=2").get_json()["empty"] is True
    assert admin.get(f"/processes/{KEY}/versions/1/diff?against=2").get_json()["elements"][0]["status"]


def test_a_refused_file_names_itself_and_its_element_and_stores_nothing(app, api):
    admin = api.as_("admin")
    before = count(app)
    bpmn = version_two()["complaint_handling.bpmn"]
    broken = replace(bpmn, '<bpmn:lane id="lane_store_manager" name="store_manager">',
                     '<bpmn:lane id="lane_store_manager" name="night_watch">')
    response = deploy(admin, {"complaint_handling.bpmn": broken, "review.json": version_two()["review.json"]})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_model" and body["filename"] == "complaint_handling.bpmn"
    assert body["element"] and body["message"] and "complaint_handling.bpmn" in body["fields"]
    assert count(app) == before
    unused = deploy(admin, {"stray.json": "{}"})
    assert unused.status_code == 422 and unused.get_json()["filename"] == "stray.json"
    empty = admin.post(f"/processes/{KEY}/versions", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and count(app) == before


def test_only_administrators_and_known_versions(app, api):
    director = api.as_("director")
    before = count(app)
    assert director.get(f"/processes/{KEY}/versions").status_code == 403
    assert director.get(f"/processes/{KEY}/versions/1/diff?against=1").status_code == 403
    assert deploy(director, version_two()).status_code == 403 and count(app) == before
    admin = api.as_("admin")
    assert admin.get("/processes/nope/versions").status_code == 404
    assert deploy(admin, version_two(), key="nope").status_code == 404
    assert admin.get(f"/processes/{KEY}/versions/9/diff?against=1").status_code == 404
    assert admin.get(f"/processes/{KEY}/versions/1/diff?against=9").status_code == 404
    assert admin.get("/processes/nope/versions/1/diff?against=1").status_code == 404
    for bad in ("", "?against=", "?against=x", "?against=-1", "?against=0", "?against=99999999999"):
        response = admin.get(f"/processes/{KEY}/versions/1/diff{bad}")
        assert response.status_code == 422, bad
        assert list(response.get_json()["fields"]) == ["against"]
    assert api._client.get(f"/api/v1/processes/{KEY}/versions").status_code == 401


def test_the_answers_keep_the_published_contract(app, api):
    from webapp.api.contract import openapi_document

    from .test_openapi import conforming
    check = conforming(openapi_document())
    admin = api.as_("admin")
    check(admin.get(f"/processes/{KEY}/versions"), "ProcessVersionList", 200)
    check(deploy(admin, version_two()), "DeployedVersion", 201)
    check(deploy(admin, version_two()), "DeployedVersion", 200)
    check(admin.get(f"/processes/{KEY}/versions/2/diff?against=1"), "VersionDiff", 200)
    check(admin.get(f"/processes/{KEY}/versions/2/diff?against=x"), "Error", 422)
    refused = deploy(admin, {"stray.json": "{}"})
    assert check(refused, "Error", 422)["filename"] == "stray.json"
    check(api.as_("director").get(f"/processes/{KEY}/versions"), "Error", 403)


def test_a_process_that_calls_another_is_deployed_and_compared_alone(app, api):
    """stock_transfer calls ship_goods (stored with each caller version): a changed form of the caller
    makes its version 2; the diff names that form only, and the callee's elements are not changes."""
    import json

    from tests.model_edits import REPO
    admin = api.as_("admin")
    form_path = sorted((REPO / "workflows" / "forms" / "stock_transfer").glob("*.json"))[0]
    form = json.loads(form_path.read_text("utf-8"))
    form["title"] = f"{form.get('title', '')}（新）"
    created = deploy(admin, {form_path.name: json.dumps(form, ensure_ascii=False)}, key="stock_transfer")
    assert created.status_code == 201 and created.get_json()["version"] == 2
    result = admin.get("/processes/stock_transfer/versions/2/diff?against=1").get_json()
    assert result["elements"] == [] and result["decisions"] == [] and result["files"] == []
    assert [(f["filename"], [c["aspect"] for c in f["changes"]]) for f in result["forms"]] == [
        (form_path.name, ["title"])]
