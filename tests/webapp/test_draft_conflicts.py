"""Two administrators (or two tabs) editing the same file of a process's draft: every editor opens the
file at a revision and sends it back; a save of a file changed in the draft since it was opened is a
409 naming who changed it and when, in the person's language, with the typed text kept and nothing
stored; reopened, the save goes through. A publish carries the draft it was shown: a draft changed
since is a 409 naming the files, nothing published."""
from __future__ import annotations

import html
import re

from tests.webapp.test_admin_drafts import (
    DECISION,
    EDIT,
    MODEL,
    PUBLISH,
    changed_dmn,
    changed_form,
    counts,
    opened,
    token,
)

MODELER = f"{MODEL}/edit"


def english(client) -> None:
    client.post("/account/language", data={"locale": "en", "next": "/tasks",
                                           "csrf_token": token(client, "/tasks")})


def test_a_form_saved_by_someone_else_since_it_was_opened_is_a_409_in_chinese(app, client, auth):
    auth.login("admin")
    first, second = opened(client, EDIT), opened(client, EDIT)  # two tabs, the same revision
    assert first["revision"] == second["revision"] and len(first["revision"]) == 64
    assert client.post(EDIT, data={**first, "schema": changed_form()}).status_code == 303
    before = counts(app)
    mine = changed_form().replace("门店照片说明", "我的另一个说明")
    refused = client.post(EDIT, data={**second, "schema": mine})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and counts(app) == before
    assert "您打开 investigate.json 之后，admin 于" in page and "没有保存任何内容" in page
    assert "我的另一个说明" in html.unescape(page)  # the typed text stays in the editor to copy
    assert f'name="revision" value="{second["revision"]}"' in page  # still the revision it opened
    stored = client.get(f"{MODEL}/draft/files/investigate.json").get_data(as_text=True)
    assert "门店照片说明" in stored and "我的另一个说明" not in stored
    again = opened(client, EDIT)  # reopened: the save goes through
    assert again["revision"] != second["revision"]
    assert client.post(EDIT, data={**again, "schema": mine}).status_code == 303
    assert "我的另一个说明" in client.get(f"{MODEL}/draft/files/investigate.json").get_data(as_text=True)


def test_a_decision_table_changed_meanwhile_is_a_409_in_english(app, client, auth):
    auth.login("admin")
    english(client)
    first, second = opened(client, DECISION), opened(client, DECISION)
    assert client.post(DECISION, data={**first, "dmn": changed_dmn("800")}).status_code == 303
    before = counts(app)
    refused = client.post(DECISION, data={**second, "dmn": changed_dmn("950")})
    page = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 409 and counts(app) == before
    assert "compensation_approval.dmn was changed in the draft by admin at" in page
    assert "so nothing was saved" in page and "&gt; 950" in page  # the edited table is kept
    assert "&gt; 800" in client.get(f"{MODEL}/draft/files/compensation_approval.dmn").get_data(as_text=True)
    reopened = opened(client, DECISION)
    assert client.post(DECISION, data={**reopened, "dmn": changed_dmn("950")}).status_code == 303


def _modeler(client) -> tuple[str, dict[str, str]]:
    page = client.get(MODELER).get_data(as_text=True)
    revision = re.search(r'data-revision="([0-9a-f]{64})"', page).group(1)
    return revision, {"X-CSRFToken": re.search(r'data-csrf="([^"]+)"', page).group(1)}


def test_the_modeler_answers_a_stale_revision_with_a_json_409(app, client, auth):
    auth.login("admin")
    xml = client.get(f"{MODEL}/draft/files/complaint_handling.bpmn").get_data(as_text=True)
    revision, headers = _modeler(client)
    saved = client.post(MODELER, json={"xml": xml.replace("<bpmn:", "<bpmn:", 1) + "\n", "version": 1,
                                       "revision": revision}, headers=headers)
    assert saved.status_code == 200 and saved.json["revision"] != revision
    before = counts(app)
    refused = client.post(MODELER, json={"xml": xml + "\n\n", "version": 1, "revision": revision},
                          headers=headers)
    assert refused.status_code == 409 and counts(app) == before
    assert refused.json["error"] == "conflict"
    assert "您打开 complaint_handling.bpmn 之后，admin 于" in refused.json["message"]
    english(client)
    refused = client.post(MODELER, json={"xml": xml + "\n\n", "version": 1, "revision": revision},
                          headers=headers)
    assert refused.status_code == 409 and "was changed in the draft by admin" in refused.json["message"]
    # the page's next save goes on top of the revision its own save returned
    assert client.post(MODELER, json={"xml": xml + "\n\n", "version": 1, "revision": saved.json["revision"]},
                       headers=headers).status_code == 200


def _publish_form(client) -> dict[str, object]:
    page = client.get(MODEL).get_data(as_text=True)
    panel = page.split('id="draft-panel"', 1)[1]
    return {"csrf_token": token(client),
            "seen": [html.unescape(v) for v in re.findall(r'name="seen" value="([^"]+)"', panel)]}


def test_a_publish_of_a_draft_changed_since_the_page_showed_it_is_a_409(app, client, auth):
    auth.login("admin")
    client.post(DECISION, data={**opened(client, DECISION), "dmn": changed_dmn("800")})
    shown = _publish_form(client)
    assert len(shown["seen"]) == 1  # type: ignore[arg-type]
    client.post(EDIT, data={**opened(client, EDIT), "schema": changed_form()})  # someone saves meanwhile
    before = counts(app)
    refused = client.post(PUBLISH, data=shown)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and counts(app) == before
    assert "未发布任何内容" in page and "草稿又被修改过（investigate.json）" in page
    english(client)
    page = client.post(PUBLISH, data={**shown, "csrf_token": token(client)}).get_data(as_text=True)
    assert "The draft was changed after this page showed it (investigate.json)" in page
    assert counts(app) == before
    published = client.post(PUBLISH, data=_publish_form(client))  # looked again: published
    assert published.status_code == 303 and counts(app) == (before[0] + 1, 0)
