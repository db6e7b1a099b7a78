"""The form and decision table editors: administrators only; the preview is the task page's own
rendering of the schema; a refused schema is a 422 naming where, nothing stored; a good one goes into
the process's draft (a new version once the draft is published); a save on top of a version replaced
meanwhile a 409."""
from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import func, select

from engine.models import ProcessVersion
from webapp.extensions import db

from .draft_forms import opened, publish_form

REPO = Path(__file__).resolve().parents[2]
FORM = REPO / "workflows" / "forms" / "complaint_handling" / "investigate.json"
DMN = REPO / "bpmn" / "compensation_approval.dmn"
EDIT = "/admin/models/complaint_handling/forms/investigate.json/edit"
PREVIEW = "/admin/models/complaint_handling/forms/investigate.json/preview"
DECISION = "/admin/models/complaint_handling/decisions/compensation_approval.dmn/edit"
NEW = "/admin/models/complaint_handling/forms/new"
COMPLAINT = {"customer_name": "柯女士", "customer_phone": "13900003333", "store_code": "NJ01",
             "channel": "store", "category": "service", "description": "试衣间灯坏了，没人处理。",
             "amount_claimed": 0}


def token(client, path: str = "/tasks") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessVersion))


def stored(client, version: int, name: str = "investigate.json") -> str:
    return client.get(f"/admin/models/complaint_handling/{version}/files/{name}").get_data(as_text=True)


def publish(client, model: str = "/admin/models/complaint_handling"):
    return client.post(f"{model}/draft/publish", data=publish_form(client, model))


def with_field(text: str) -> str:
    form = json.loads(text)
    form["properties"]["store_photo_note"] = {"type": "string", "title": "门店照片说明", "maxLength": 200}
    return json.dumps(form, ensure_ascii=False, indent=2)


def fields_html(html: str) -> str:
    """The fields of a rendered form, whitespace folded (the task page's, or the preview's)."""
    if '<legend class="visually-hidden">' in html:
        html = html.split('<legend class="visually-hidden">', 1)[1].split("</legend>", 1)[1]
        html = html.split('<div class="form-actions', 1)[0]
    else:
        html = re.sub(r'^\s*<p class="text-muted">.*?</p>', "", html, count=1, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html).strip()


def test_only_administrators_open_or_save_the_editors(app, client, auth):
    before = versions(app)
    auth.login("director")
    csrf = token(client)
    for path in (EDIT, DECISION, NEW):
        assert client.get(path).status_code == 403, path
    for path in (EDIT, PREVIEW, DECISION, NEW):
        response = client.post(path, data={"csrf_token": csrf, "version": "1", "filename": "x.json",
                                           "step": "x", "schema": FORM.read_text("utf-8"),
                                           "dmn": DMN.read_text("utf-8")})
        assert response.status_code == 403, path
    auth.logout()
    assert client.get(EDIT).status_code in (302, 401)
    assert versions(app) == before


def test_the_preview_is_what_the_task_page_shows_for_that_schema(client, auth, api):
    api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": COMPLAINT})
    [task] = api.as_("franchisee_nj01").get("/tasks").get_json()["items"]
    auth.login("franchisee_nj01")
    task_page = fields_html(client.get(f"/tasks/{task['id']}").get_data(as_text=True))
    auth.logout()
    auth.login("admin")
    page = client.get(EDIT).get_data(as_text=True)
    assert 'id="schema-text"' in page and ("&#34;properties&#34;" in page or "&quot;properties&quot;" in page)
    response = client.post(PREVIEW, data={"csrf_token": token(client, EDIT),
                                          "schema": FORM.read_text("utf-8")})
    assert response.status_code == 200 and response.get_json()["ok"] is True
    properties = json.loads(FORM.read_text("utf-8"))["properties"]
    writable = [k for k, p in properties.items() if not p.get("readOnly")]
    assert all(f'name="{k}"' in task_page for k in writable) and len(writable) > 2  # a real form
    assert fields_html(response.get_json()["html"]) == task_page
    shown = page.split('id="preview-desktop" data-width="desktop">', 1)[1]
    assert fields_html(response.get_json()["html"])[:200] in re.sub(r"\s+", " ", shown)
    added = client.post(PREVIEW, data={"csrf_token": token(client, EDIT),
                                       "schema": with_field(FORM.read_text("utf-8"))}).get_json()
    assert 'name="store_photo_note"' in added["html"] and "门店照片说明" in added["html"]


def test_the_preview_says_what_is_wrong_and_where_in_the_persons_language(client, auth):
    auth.login("admin")
    csrf = token(client, EDIT)
    cases = [('{"type": "object",\n "properties": {\n  "a": {"type": "string"}\n  "b": {}}}',
              "investigate.json 第 4 行第 3 列"),
             ('{"type": "object", "properties": {"qty": {"type": "whole"}}}', "properties/qty/type")]
    for text, says in cases:
        response = client.post(PREVIEW, data={"csrf_token": csrf, "schema": text})
        assert response.status_code == 422 and response.get_json()["ok"] is False
        assert says in response.get_json()["error"], response.get_json()["error"]
        assert "investigate.json" in response.get_json()["error"]
    assert client.post(PREVIEW, data={"schema": "{}"}).status_code == 400  # no CSRF token


def test_an_invalid_schema_is_refused_naming_the_path_and_nothing_is_stored(app, client, auth):
    auth.login("admin")
    before = versions(app)
    form = json.loads(FORM.read_text("utf-8"))
    first = next(iter(form["properties"]))
    form["properties"][first]["minLength"] = "three"
    response = client.post(EDIT, data={**opened(client, EDIT), "version": "1",
                                       "schema": json.dumps(form, ensure_ascii=False)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"properties/{first}/minLength" in html and "未保存" in html
    assert "three" in html  # the text as typed is kept in the editor
    assert versions(app) == before


def test_a_valid_schema_becomes_a_new_version_and_a_stale_save_is_a_conflict(app, client, auth):
    auth.login("admin")
    before = versions(app)
    changed = with_field(FORM.read_text("utf-8"))
    response = client.post(EDIT, data={**opened(client, EDIT), "version": "1", "schema": changed})
    assert response.status_code == 303 and response.headers["Location"].endswith(EDIT)
    assert versions(app) == before  # into the draft
    page = client.get(EDIT).get_data(as_text=True)
    assert "store_photo_note" in page and 'data-file="investigate.json"' in page  # the draft's copy
    assert publish(client).status_code == 303
    assert versions(app) == before + 1
    assert json.loads(stored(client, 2))["properties"]["store_photo_note"]["title"] == "门店照片说明"
    assert "基于第 2 版打开" in client.get(EDIT).get_data(as_text=True)
    # a second editor still on version 1
    stale = client.post(EDIT, data={**opened(client, EDIT), "version": "1",
                                    "schema": FORM.read_text("utf-8")})
    assert stale.status_code == 409
    assert "您打开了版本 1，之后此流程已保存了版本 2" in stale.get_data(as_text=True)
    assert versions(app) == before + 1
    assert client.post(EDIT, data={**opened(client, EDIT), "version": "x",
                                   "schema": changed}).status_code == 400


def test_a_new_form_is_saved_with_the_step_that_shows_it(app, client, auth):
    auth.login("admin")
    page = client.get(NEW).get_data(as_text=True)
    assert 'value="investigate_store"' in page
    before = versions(app)
    form = {"type": "object", "title": "调查", "required": ["finding"],
            "properties": {"finding": {"type": "string", "title": "调查结论", "maxLength": 500}}}
    data = {"csrf_token": token(client, NEW), "version": "1", "filename": "investigate_v2.json",
            "step": "investigate_store", "schema": json.dumps(form, ensure_ascii=False)}
    clash = client.post(NEW, data={**data, "filename": "investigate.json"})
    assert clash.status_code == 422 and versions(app) == before
    unknown = client.post(NEW, data={**data, "step": "nope"})
    assert unknown.status_code == 422 and "nope" in unknown.get_data(as_text=True)
    assert versions(app) == before
    response = client.post(NEW, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    assert versions(app) == before  # the form and the model naming it, in the draft
    draft_model = client.get("/admin/models/complaint_handling/draft/files/complaint_handling.bpmn")
    assert 'value="investigate_v2.json"' in draft_model.get_data(as_text=True)
    assert client.get("/admin/models/complaint_handling/forms/investigate_v2.json/edit").status_code == 200
    assert publish(client).status_code == 303
    assert versions(app) == before + 1
    assert 'value="investigate_v2.json"' in stored(client, 2, "complaint_handling.bpmn")
    assert json.loads(stored(client, 2, "investigate_v2.json")) == form


def test_a_decision_table_is_edited_and_saved_as_a_new_version(app, client, auth):
    auth.login("admin")
    page = client.get(DECISION).get_data(as_text=True)
    assert 'id="decision-editor"' in page and "compensation_approval_rule_1" in page
    assert "vendor/dmn-js/dmn-modeler.production.min.js" in page
    before = versions(app)
    xml = DMN.read_text("utf-8")
    broken = xml.replace("<text>&gt; 500</text>", "<text>&gt; 500 )</text>")
    csrf, rev = token(client, DECISION), opened(client, DECISION)["revision"]
    refused = client.post(DECISION, data={"csrf_token": csrf, "revision": rev, "version": "1", "dmn": broken})
    assert refused.status_code == 422 and "规则 1" in refused.get_data(as_text=True)
    assert versions(app) == before
    changed = xml.replace("<text>&gt; 500</text>", "<text>&gt; 800</text>")
    saved = client.post(DECISION, data={"csrf_token": csrf, "revision": rev, "version": "1", "dmn": changed})
    assert saved.status_code == 303 and versions(app) == before
    assert "&amp;gt; 800" in client.get(DECISION).get_data(as_text=True)  # the draft's copy opens
    assert publish(client).status_code == 303 and versions(app) == before + 1
    assert "&gt; 800" in stored(client, 2, "compensation_approval.dmn")
    stale = client.post(DECISION, data={"csrf_token": csrf, "revision": rev, "version": "1", "dmn": xml})
    assert stale.status_code == 409 and versions(app) == before + 1
    base = "/admin/models/complaint_handling"
    assert client.get(f"{base}/decisions/investigate.json/edit").status_code == 404
    assert client.get(f"{base}/forms/compensation_approval.dmn/edit").status_code == 404


def test_the_version_page_links_to_the_editors(client, auth):
    auth.login("admin")
    html = client.get("/admin/models/complaint_handling").get_data(as_text=True)
    assert f'href="{EDIT}"' in html and f'href="{DECISION}"' in html and f'href="{NEW}"' in html


def test_saving_and_a_stale_save_on_postgresql(postgres_app):
    from tests.webapp.conftest import AuthActions
    client = postgres_app.test_client()
    AuthActions(client).login("admin")
    before = versions(postgres_app)
    changed = with_field(FORM.read_text("utf-8"))
    saved = client.post(EDIT, data={**opened(client, EDIT), "version": "1", "schema": changed})
    assert saved.status_code == 303 and versions(postgres_app) == before
    csrf, rev = token(client, DECISION), opened(client, DECISION)["revision"]
    changed_dmn = DMN.read_text("utf-8").replace("<text>&gt; 500</text>", "<text>&gt; 800</text>")
    decided = client.post(DECISION, data={"csrf_token": csrf, "revision": rev, "version": "1",
                                          "dmn": changed_dmn})
    assert decided.status_code == 303 and versions(postgres_app) == before
    assert publish(client).status_code == 303 and versions(postgres_app) == before + 1  # both in one
    assert "&gt; 800" in stored(client, 2, "compensation_approval.dmn")
    assert "store_photo_note" in stored(client, 2)
    stale = client.post(EDIT, data={**opened(client, EDIT), "version": "1",
                                    "schema": FORM.read_text("utf-8")})
    assert stale.status_code == 409 and versions(postgres_app) == before + 1
