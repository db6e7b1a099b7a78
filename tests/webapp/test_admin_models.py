"""The admin's model pages: processes and versions, a version's files as plain text, deploying
uploads (validated first, refused with the file and element named, nothing stored)."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from sqlalchemy import func, select

from engine.models import ProcessVersion
from webapp.extensions import db

REPO = Path(__file__).resolve().parents[2]
FORM = REPO / "workflows" / "forms" / "complaint_handling" / "investigate.json"
BPMN = REPO / "bpmn" / "complaint_handling.bpmn"


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessVersion))


def send(client, path: str, *files: tuple[str, bytes], csrf: bool = True):
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    if csrf:
        data["csrf_token"] = token(client, "/admin/models")
    return client.post(path, data=data, content_type="multipart/form-data")


def test_processes_versions_and_files_are_listed_for_administrators(client, auth):
    auth.login("admin")
    html = client.get("/admin/models").get_data(as_text=True)
    for key in ("complaint_handling", "product_return", "store_opening", "new_product_launch"):
        assert f'id="process-{key}"' in html
    html = client.get("/admin/models/complaint_handling").get_data(as_text=True)
    assert 'id="version-1"' in html and "investigate.json" in html and "complaint_handling.bpmn" in html
    response = client.get("/admin/models/complaint_handling/1/files/investigate.json")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert json.loads(response.get_data(as_text=True)) == json.loads(FORM.read_text("utf-8"))
    download = client.get("/admin/models/complaint_handling/1/files/complaint_handling.bpmn?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert client.get("/admin/models/complaint_handling/1/files/nope.json").status_code == 404
    assert client.get("/admin/models/nope").status_code == 404


def test_nobody_else_sees_or_deploys_models(app, client, auth):
    auth.login("director")
    before = versions(app)
    for path in ("/admin/models", "/admin/models/complaint_handling",
                 "/admin/models/complaint_handling/1/files/investigate.json"):
        assert client.get(path).status_code == 403
    html_token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/tasks").get_data(as_text=True))
    response = client.post("/admin/models/complaint_handling", content_type="multipart/form-data", data={
        "csrf_token": html_token.group(1), "files": [(io.BytesIO(FORM.read_bytes()), "investigate.json")]})
    assert response.status_code == 403 and versions(app) == before


def test_a_changed_form_becomes_version_2_and_cases_move_on_to_it(app, client, auth, api):
    auth.login("admin")
    form = json.loads(FORM.read_text("utf-8"))
    form["title"] = form.get("title", "") + "（新版）"
    response = send(client, "/admin/models/complaint_handling",
                    ("investigate.json", json.dumps(form, ensure_ascii=False).encode("utf-8")))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/models/complaint_handling")
    html = client.get("/admin/models/complaint_handling").get_data(as_text=True)
    assert 'id="version-2" class="table-primary"' in html
    started = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": {
        "customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001", "channel": "store",
        "category": "service", "description": "店员态度不好。", "amount_claimed": 0}}).get_json()
    assert started["version"] == 2
    again = send(client, "/admin/models/complaint_handling",
                 ("investigate.json", json.dumps(form, ensure_ascii=False).encode("utf-8")))
    assert again.status_code == 303 and versions(app) == 6  # unchanged: no version 3


def test_a_refused_upload_says_why_and_stores_nothing(app, client, auth):
    auth.login("admin")
    before = versions(app)
    broken = BPMN.read_text("utf-8").replace('id="investigate_store"', 'id="investigate store"', 1)
    for path, files, says in (
            ("/admin/models", [("complaint_handling.bpmn", b"<not xml")], "complaint_handling.bpmn 第 1 行"),
            ("/admin/models", [("investigate.json", FORM.read_bytes())], "请同时选择该流程的 .bpmn 文件"),
            ("/admin/models/complaint_handling",
             [("store_opening.bpmn", (REPO / "bpmn" / "store_opening.bpmn").read_bytes())],
             "此页面只部署流程 complaint_handling"),
            ("/admin/models/complaint_handling", [("investigate.json", b'{"type": "nonsense"}')],
             "investigate.json（complaint_handling.bpmn 中元素 investigate_store 的表单）："
             "在 type 处不是有效的 JSON Schema"),
            ("/admin/models/complaint_handling", [("complaint_handling.bpmn", broken.encode("utf-8"))],
             "complaint_handling.bpmn"),
            ("/admin/models/complaint_handling", [("complaint_handling.bpmn", BPMN.read_text("utf-8").replace(
                'name="cs_manager"', 'name="cs_boss"').encode("utf-8"))], "泳道 cs_boss 不是角色")):
        response = send(client, path, *files)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (path, files[0][0])
        assert 'id="deploy-error"' in html and says in html.replace("&#39;", "'"), \
            (says, re.findall(r'id="deploy-error"[^>]*>(.*?)</div>', html, re.S))
    assert versions(app) == before


def test_an_upload_without_its_csrf_token_is_refused(app, client, auth):
    auth.login("admin")
    before = versions(app)
    response = send(client, "/admin/models/complaint_handling", ("investigate.json", FORM.read_bytes()),
                    csrf=False)
    assert response.status_code == 400 and versions(app) == before


def test_an_upload_whose_script_the_sandbox_would_refuse_is_refused_naming_file_element_and_reason(
        app, client, auth):
    auth.login("admin")
    before = versions(app)
    model = (REPO / "bpmn" / "product_return.bpmn").read_text("utf-8")
    script = "total_amount = line_total(items)"
    assert model.count(script) == 1
    line = model[:model.index(script)].count("\n") + 1
    response = send(client, "/admin/models/product_return",
                    ("product_return.bpmn", model.replace(script, "import os\n" + script).encode("utf-8")))
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 422
    assert (f"product_return.bpmn 第 {line} 行 元素 compute_total："
            "脚本：模型脚本中不允许使用 import。") in html
    assert versions(app) == before
