"""Process and step names on the pages come from the latest deployed model: an uploaded version with a
new English name is what English pages show, and the Chinese pages show the model's own name."""
from __future__ import annotations

import io
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BPMN = (REPO / "bpmn" / "complaint_handling.bpmn").read_text("utf-8")


def csrf(client, path: str = "/tasks") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_an_uploaded_english_name_is_what_english_pages_show(client, auth):
    auth.login("admin")
    client.post("/account/language", data={"locale": "en", "next": "/tasks", "csrf_token": csrf(client)})
    assert "Complaint handling" in client.get("/admin/models").get_data(as_text=True)
    changed = BPMN.replace('name="nameEn" value="Complaint handling"',
                           'name="nameEn" value="Customer complaints"', 1)
    assert changed != BPMN
    response = client.post("/admin/models/complaint_handling", content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(changed.encode("utf-8")), "complaint_handling.bpmn")],
                                 "csrf_token": csrf(client, "/admin/models")})
    assert response.status_code == 303
    html = client.get("/admin/models").get_data(as_text=True)
    assert "Customer complaints" in html and "Complaint handling" not in html
    client.post("/account/language", data={"locale": "zh_CN", "next": "/tasks", "csrf_token": csrf(client)})
    assert "客户投诉处理" in client.get("/admin/models").get_data(as_text=True)
