"""The version diff page: administrators only, the two versions picked by `from`/`to`, each change
listed with what changed, the marks for both diagrams in the page's JSON block."""
from __future__ import annotations

import io
import json
import re

from tests.model_edits import version_two

KEY = "complaint_handling"


def deploy_version_two(api) -> None:
    data = {"files": [(io.BytesIO(text.encode("utf-8")), name) for name, text in version_two().items()]}
    response = api.as_("admin").post(f"/processes/{KEY}/versions", data=data,
                                     content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()


def marks(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="diff-marks">(.*?)</script>', html,
                                re.S).group(1))


def test_the_diff_page_lists_and_marks_the_changes(client, auth, api):
    deploy_version_two(api)
    auth.login("admin")
    model = client.get(f"/admin/models/{KEY}").get_data(as_text=True)
    assert f'href="/admin/models/{KEY}/diff"' in model
    response = client.get(f"/admin/models/{KEY}/diff")  # the current version against the one before
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="change-review_store" data-status="added"' in html
    assert 'id="change-init_case" data-status="removed"' in html
    assert 'id="change-customer_follow_up" data-status="changed"' in html
    assert "客户电话回访" in html and "Call the customer back" in html
    assert 'data-field="batch_no"' in html and 'data-rule="complaint_triage_rule_1"' in html
    assert "&gt;= 3000" in html
    marked = marks(html)
    assert "review_store" in marked["new"]["added"] and "init_case" in marked["old"]["removed"]
    assert "customer_follow_up" in marked["old"]["changed"]
    assert marked["old"]["changed"] == marked["new"]["changed"]
    assert f'data-diagram-url="/admin/models/{KEY}/1/files/{KEY}.bpmn"' in html
    assert f'data-diagram-url="/admin/models/{KEY}/2/files/{KEY}.bpmn"' in html
    backwards = client.get(f"/admin/models/{KEY}/diff?from=2&to=1").get_data(as_text=True)
    assert 'id="change-review_store" data-status="removed"' in backwards
    same = client.get(f"/admin/models/{KEY}/diff?from=2&to=2").get_data(as_text=True)
    assert 'id="diff-empty"' in same and "diff-elements" not in same


def test_the_page_in_chinese_and_english_and_its_refusals(client, auth, api, csrf_token):
    deploy_version_two(api)
    auth.login("admin")
    chinese = client.get(f"/admin/models/{KEY}/diff?from=1&to=2").get_data(as_text=True)
    assert "版本 1 → 2 的变更" in chinese and "处理时限（小时）" in chinese and "新增" in chinese
    client.post("/account/language", data={"locale": "en", "next": "/tasks",
                                           "csrf_token": csrf_token(client, "/tasks")})
    english = client.get(f"/admin/models/{KEY}/diff?from=1&to=2").get_data(as_text=True)
    assert "Changes from version 1 to 2" in english and "Due in hours" in english
    assert client.get(f"/admin/models/{KEY}/diff?from=1&to=9").status_code == 404
    assert client.get("/admin/models/nope/diff").status_code == 404
    bad = client.get(f"/admin/models/{KEY}/diff?from=x")
    assert bad.status_code == 400 and "from" in bad.get_data(as_text=True)
    auth.login("director")
    assert client.get(f"/admin/models/{KEY}/diff").status_code == 403
