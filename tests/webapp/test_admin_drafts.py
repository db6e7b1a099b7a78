"""A process's draft in the admin area: the model page shows it (who, when, which files, from which
version, links to the editors) with publish and discard; publishing makes ONE version of every file the
editors saved; a draft whose version was replaced meanwhile says so and its publish is a 409 in the
person's language, nothing stored; administrators only, CSRF on every POST."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from sqlalchemy import func, select

from engine.models import ModelDraftFile, ProcessVersion
from webapp.extensions import db

from .draft_forms import opened, publish_form

REPO = Path(__file__).resolve().parents[2]
FORM = REPO / "workflows" / "forms" / "complaint_handling" / "investigate.json"
DMN = REPO / "bpmn" / "compensation_approval.dmn"
MODEL = "/admin/models/complaint_handling"
EDIT = f"{MODEL}/forms/investigate.json/edit"
DECISION = f"{MODEL}/decisions/compensation_approval.dmn/edit"
PUBLISH, DISCARD = f"{MODEL}/draft/publish", f"{MODEL}/draft/discard"


def token(client, path: str = MODEL) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(ProcessVersion)),
                db.session.scalar(select(func.count()).select_from(ModelDraftFile)))


def changed_form() -> str:
    form = json.loads(FORM.read_text("utf-8"))
    form["properties"]["store_photo_note"] = {"type": "string", "title": "门店照片说明", "maxLength": 200}
    return json.dumps(form, ensure_ascii=False, indent=2)


def changed_dmn(limit: str = "800") -> str:
    return DMN.read_text("utf-8").replace("<text>&gt; 500</text>", f"<text>&gt; {limit}</text>")


def fill_draft(client) -> None:
    assert client.post(EDIT, data={**opened(client, EDIT), "version": "1",
                                   "schema": changed_form()}).status_code == 303
    assert client.post(DECISION, data={**opened(client, DECISION), "version": "1",
                                       "dmn": changed_dmn()}).status_code == 303


def test_the_model_page_shows_the_draft_and_publishing_makes_one_version(app, client, auth):
    auth.login("admin")
    assert 'id="draft-panel"' not in client.get(MODEL).get_data(as_text=True)
    before, _ = counts(app)
    fill_draft(client)
    page = client.get(MODEL).get_data(as_text=True)
    panel = page.split('id="draft-panel"', 1)[1].split("</section>", 1)[0]
    assert "草稿（基于第 1 版）" in panel and "最后由 admin" in panel
    assert 'data-file="investigate.json"' in panel and 'data-file="compensation_approval.dmn"' in panel
    assert f'href="{EDIT}"' in panel and f'href="{DECISION}"' in panel  # each file opens its editor
    assert 'id="publish-draft"' in panel and 'id="discard-draft"' in panel
    assert counts(app) == (before, 2)
    published = client.post(PUBLISH, data=publish_form(client))
    assert published.status_code == 303 and published.headers["Location"].endswith("#version-2")
    assert counts(app) == (before + 1, 0)  # one version with both files, the draft gone
    page = client.get(MODEL).get_data(as_text=True)
    assert "草稿已发布为第 2 版" in page and 'id="draft-panel"' not in page
    stored_dmn = client.get(f"{MODEL}/2/files/compensation_approval.dmn").get_data(as_text=True)
    stored_form = client.get(f"{MODEL}/2/files/investigate.json").get_data(as_text=True)
    assert "&gt; 800" in stored_dmn and "store_photo_note" in stored_form
    trail = client.get("/admin/").get_data(as_text=True)  # the administrators' trail says who did what
    assert "admin 将 investigate.json 保存到" in trail and "的草稿发布为第 2 版" in trail
    again = client.post(PUBLISH, data=publish_form(client))  # nothing left to publish
    assert again.status_code == 303 and counts(app) == (before + 1, 0)


def test_a_stale_draft_says_so_refuses_to_publish_and_can_be_discarded(app, client, auth):
    auth.login("admin")
    fill_draft(client)
    upload = client.post(MODEL, data={"csrf_token": token(client),
                                      "files": (io.BytesIO(changed_dmn("900").encode()),
                                                "compensation_approval.dmn")},
                         content_type="multipart/form-data")  # someone deploys version 2 meanwhile
    assert upload.status_code == 303
    before = counts(app)
    page = client.get(MODEL).get_data(as_text=True)
    assert 'data-stale="1"' in page and "之后已部署了第 2 版，因此无法再发布" in page
    assert 'id="publish-draft"' not in page and 'id="discard-draft"' in page
    refused = client.post(PUBLISH, data=publish_form(client))
    assert refused.status_code == 409 and counts(app) == before
    assert "未发布任何内容" in refused.get_data(as_text=True)
    assert "这份草稿基于第 1 版，之后已部署了第 2 版" in refused.get_data(as_text=True)
    editor = client.post(EDIT, data={**opened(client, EDIT), "version": "1",
                                     "schema": changed_form()})
    assert editor.status_code == 409 and counts(app) == before  # no more saves into it either
    discarded = client.post(DISCARD, data={"csrf_token": token(client)})
    assert discarded.status_code == 303 and counts(app) == (before[0], 0)
    assert 'id="draft-panel"' not in client.get(EDIT).get_data(as_text=True)


def test_only_administrators_and_only_with_the_csrf_token(app, client, auth):
    auth.login("admin")
    fill_draft(client)
    before = counts(app)
    for path in (PUBLISH, DISCARD):
        assert client.post(path).status_code == 400, path  # no CSRF token
    assert counts(app) == before
    auth.logout()
    auth.login("director")
    csrf = token(client, "/tasks")
    for path in (PUBLISH, DISCARD):
        assert client.post(path, data={"csrf_token": csrf}).status_code == 403, path
    assert client.get(f"{MODEL}/draft/files/compensation_approval.dmn").status_code == 403
    assert counts(app) == before


def test_publishing_on_postgresql(postgres_app):
    from tests.webapp.conftest import AuthActions
    client = postgres_app.test_client()
    AuthActions(client).login("admin")
    before, _ = counts(postgres_app)
    fill_draft(client)
    assert counts(postgres_app) == (before, 2)
    assert client.post(PUBLISH, data=publish_form(client)).status_code == 303
    assert counts(postgres_app) == (before + 1, 0)
