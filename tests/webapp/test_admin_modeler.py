"""The modeler's routes: the page opens the process's working set with its pick lists (administrators
only), and its save puts the edited .bpmn into the process's draft through the upload's validation, on
top of the version opened only; a refusal is JSON naming the element, in the person's language,
nothing stored; publishing the draft makes the version."""
from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from engine.models import ProcessVersion
from webapp.extensions import db

REPO = Path(__file__).resolve().parents[2]
BPMN = (REPO / "bpmn" / "complaint_handling.bpmn").read_text("utf-8")
EDIT = "/admin/models/complaint_handling/edit"


def versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessVersion))


def page_token(client, path: str = EDIT) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'data-csrf="([^"]+)"', html).group(1)


def save(client, xml: str, version: int, token: str | None = None):
    page = client.get(EDIT).get_data(as_text=True)
    found = re.search(r'data-revision="([0-9a-f]*)"', page)  # none for who may not open the page
    revision = found.group(1) if found else ""
    headers = {"X-CSRFToken": token if token is not None else page_token(client)}
    return client.post(EDIT, json={"xml": xml, "version": version, "revision": revision}, headers=headers)


def due_hours(xml: str, element: str, hours: str) -> str:
    """`xml` with the dueInHours of user task `element` set to `hours`."""
    start = xml.index(f'id="{element}"')
    end = xml.index("</bpmn:userTask>", start)
    changed = re.sub(r'name="dueInHours" value="\d+"', f'name="dueInHours" value="{hours}"', xml[start:end],
                     count=1)
    assert changed != xml[start:end]
    return xml[:start] + changed + xml[end:]


def without_decision(xml: str, element: str) -> str:
    start = xml.index(f'id="{element}"')
    end = xml.index("</bpmn:businessRuleTask>", start)
    decision = r"<spiffworkflow:calledDecisionId>[^<]*</spiffworkflow:calledDecisionId>"
    changed = re.sub(decision, "", xml[start:end])
    assert changed != xml[start:end]
    return xml[:start] + changed + xml[end:]


def test_the_page_opens_the_current_version_with_its_pick_lists(client, auth):
    auth.login("admin")
    response = client.get(EDIT)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-version="1"' in html
    assert 'data-xml-url="/admin/models/complaint_handling/draft/files/complaint_handling.bpmn"' in html
    assert '<option value="investigate.json">' in html  # the version's forms
    assert '<option value="complaint_triage">' in html and '<option value="compensation_approval">' in html
    assert '<option value="return_approval">' not in html  # a decision of another process's version
    assert '<option value="cs_agent">' in html and 'id="prop-approverRole-finance"' in html  # the roles
    assert "vendor/bpmn-js/bpmn-modeler.production.min.js" in html
    assert "<script>" not in html and " style=" not in html  # the policy allows neither
    model_page = client.get("/admin/models/complaint_handling").get_data(as_text=True)
    assert f'href="{EDIT}"' in model_page
    assert client.get("/admin/models/nope/edit").status_code == 404


def test_nobody_but_an_administrator_opens_or_saves(app, client, auth):
    auth.login("director")
    before = versions(app)
    assert client.get(EDIT).status_code == 403
    tasks = client.get("/tasks").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', tasks).group(1)
    response = save(client, due_hours(BPMN, "investigate_store", "36"), 1, token=token)
    assert response.status_code == 403 and versions(app) == before


def publish(client):
    from tests.webapp.test_admin_drafts import publish_form
    return client.post("/admin/models/complaint_handling/draft/publish", data=publish_form(client))


def test_a_valid_diagram_goes_into_the_draft_and_is_published_as_the_next_version(app, client, auth):
    auth.login("admin")
    before = versions(app)
    response = save(client, due_hours(BPMN, "investigate_store", "36"), 1)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["draft"] is True and body["base"] == 1 and body["url"] == "/admin/models/complaint_handling"
    assert "已保存到 complaint_handling 的草稿" in body["message"] or "草稿" in body["message"]
    assert 'id="draft-panel"' in body["panel"] and 'data-file="complaint_handling.bpmn"' in body["panel"]
    assert versions(app) == before  # nothing deployed yet
    draft = client.get("/admin/models/complaint_handling/draft/files/complaint_handling.bpmn")
    assert draft.get_data(as_text=True) == due_hours(BPMN, "investigate_store", "36")
    page = client.get(EDIT).get_data(as_text=True)
    assert 'data-version="1"' in page and 'id="publish-draft"' in page  # still on 1, with its draft
    published = publish(client)
    assert published.status_code == 303 and published.headers["Location"].endswith("#version-2")
    assert versions(app) == before + 1
    stored = client.get("/admin/models/complaint_handling/2/files/complaint_handling.bpmn").get_data(
        as_text=True)
    assert stored == due_hours(BPMN, "investigate_store", "36")
    page = client.get(EDIT).get_data(as_text=True)
    assert 'data-version="2"' in page and 'id="draft-panel"' not in page


def test_a_refused_diagram_names_the_element_in_the_persons_language_and_stores_nothing(app, client, auth):
    auth.login("admin")
    before = versions(app)
    response = save(client, without_decision(BPMN, "triage"), 1)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_model" and body["element"] == "triage"
    assert body["message"] == ("complaint_handling.bpmn 元素 triage："
                               "业务规则任务未指定决策：请选择它使用的决策表。")
    lane = save(client, BPMN.replace('name="cs_manager"', 'name="cs_boss"'), 1)
    assert lane.status_code == 422 and "泳道 cs_boss 不是角色" in lane.get_json()["message"]
    assert lane.get_json()["element"]  # the user task in that lane
    untimed = save(client, BPMN.replace('<spiffworkflow:property name="dueInHours" value="24"/>', "", 1), 1)
    assert untimed.status_code == 422  # a refusal with a reason code (deploy_codes) is worded from it
    assert "该用户任务没有 dueInHours（办理时限，小时）" in untimed.get_json()["message"]
    broken = save(client, "<bpmn:definitions", 1)
    assert broken.status_code == 422 and "complaint_handling.bpmn 第 1 行" in broken.get_json()["message"]
    assert versions(app) == before


def test_a_save_on_top_of_a_version_no_longer_current_is_refused(app, client, auth):
    auth.login("admin")
    assert save(client, due_hours(BPMN, "investigate_store", "36"), 1).status_code == 200
    assert publish(client).status_code == 303
    before = versions(app)
    response = save(client, due_hours(BPMN, "investigate_merch", "12"), 1)
    assert response.status_code == 409
    assert response.get_json()["message"].startswith("您打开了版本 1，之后此流程已保存了版本 2")
    assert versions(app) == before
    assert client.get("/admin/models/complaint_handling/draft/files/nope.bpmn").status_code == 404


def test_a_save_needs_its_csrf_token_and_a_readable_body(app, client, auth):
    auth.login("admin")
    before = versions(app)
    no_token = client.post(EDIT, json={"xml": BPMN, "version": 1})
    assert no_token.status_code == 400
    token = page_token(client)
    for body in ({"xml": BPMN}, {"xml": BPMN, "version": "1"}, {"xml": "", "version": 1}, [BPMN, 1],
                 {"xml": BPMN, "version": True}, {"xml": BPMN, "version": 1},
                 {"xml": BPMN, "version": 1, "revision": 1}):
        response = client.post(EDIT, json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 400 and response.get_json()["error"] == "bad_request", body
    assert versions(app) == before
