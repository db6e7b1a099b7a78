"""Attachments: type and size limits (refused uploads store nothing), files kept outside the web
root and served only to people who may see the case, start-form photos linked to their case."""
from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from engine.attachments import detect_type
from engine.models import Attachment, AttachmentChunk
from webapp.extensions import db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def token(client, path: str = "/tasks") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def complaint(api) -> dict:
    response = api.as_("cs_li").post("/processes/complaint_handling/instances", json={"data": {
        "customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001", "channel": "store",
        "category": "service", "description": "衣服破损，要求退换。", "amount_claimed": 0}})
    assert response.status_code == 201
    return response.get_json()


def stored(app) -> tuple[int, list[Path | str]]:
    """How many attachment rows exist, and where bytes are kept: each file in the database
    (`database:<id>`), then each file in the upload folder."""
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Attachment))
        kept: list[Path | str] = [f"database:{i}" for i in db.session.scalars(
            select(AttachmentChunk.attachment_id).where(AttachmentChunk.seq == 0))]
    folder = Path(app.config["UPLOAD_DIR"])
    return rows, kept + (sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else [])


def fetch(client, url: str):
    """GET a file and close the streamed response (send_file keeps it open until then)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def upload(client, case: dict, content: bytes, name: str, task_id: int | None = None):
    task_id = task_id or case["open_tasks"][0]["id"]
    return client.post(f"/cases/{case['id']}/attachments", content_type="multipart/form-data", data={
        "csrf_token": token(client, f"/tasks/{task_id}"), "next": f"/tasks/{task_id}",
        "task_id": str(task_id), "file": (io.BytesIO(content), name)})


def test_type_is_decided_by_content():
    assert detect_type(PNG) == "image/png" and detect_type(JPEG) == "image/jpeg"
    assert detect_type(b"%PDF-1.7\n") == "application/pdf"
    assert detect_type(b"<html><script>alert(1)</script>") is None
    assert detect_type(b"MZ\x90\x00") is None


def test_upload_view_and_who_may_download(app, client, auth, api):
    case = complaint(api)
    task_id = case["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    response = upload(client, case, PNG, "破损.png")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/tasks/{task_id}#attachments")
    rows, files = stored(app)
    assert rows == 1 and len(files) == 1
    assert str(files[0]).startswith("database:")  # the default; the folder: test_attachment_storage.py
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    attachment_id = int(re.search(r'/attachments/(\d+)"', html).group(1))
    assert "破损.png" in html and "上传了附件 破损.png" in html
    response = fetch(client, f"/attachments/{attachment_id}")
    assert response.status_code == 200 and response.mimetype == "image/png" and response.data == PNG
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    auth.logout()
    auth.login("cs_li")  # the starter may see the case
    assert fetch(client, f"/attachments/{attachment_id}").status_code == 200
    auth.logout()
    for outsider in ("manager_sh002", "cs_wang"):
        auth.login(outsider)
        assert fetch(client, f"/attachments/{attachment_id}").status_code == 404, outsider
        auth.logout()
    auth.login("manager_sh002")  # may not add files to a case they cannot see
    assert client.post(f"/cases/{case['id']}/attachments", data={
        "csrf_token": token(client), "file": (io.BytesIO(PNG), "x.png")}).status_code == 404
    assert stored(app)[0] == 1


def test_a_forbidden_type_is_refused_and_nothing_is_stored(app, client, auth, api):
    case = complaint(api)
    auth.login("manager_sh001")
    response = upload(client, case, b"<html><script>alert(1)</script></html>", "photo.png")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "不支持该文件类型" in page
    assert stored(app) == (0, [])


def test_an_upload_over_the_limit_is_refused_and_nothing_is_stored(app, client, auth, api):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    case = complaint(api)
    auth.login("manager_sh001")
    response = upload(client, case, JPEG + b"\x00" * 2048, "big.jpg")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "文件过大" in page
    assert stored(app) == (0, [])
    app.config["MAX_CONTENT_LENGTH"] = 4096  # beyond the request limit the server refuses outright
    response = upload(client, case, JPEG + b"\x00" * 8192, "huge.jpg")
    assert response.status_code == 413
    assert stored(app) == (0, [])


def test_start_form_photos_are_attached_to_the_new_case(app, client, auth):
    auth.login("cs_li")
    form = {"customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001",
            "channel": "store", "category": "product_quality", "description": "衣服开线，附照片。",
            "amount_claimed": "0"}
    response = client.post("/processes/complaint_handling", content_type="multipart/form-data", data={
        "csrf_token": token(client, "/processes"), **form,
        "photos": [(io.BytesIO(PNG), "a.png"), (io.BytesIO(JPEG), "b.jpg")]})
    assert response.status_code == 303
    with app.app_context():
        rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
        assert [(r.filename, r.content_type) for r in rows] == [("a.png", "image/png"),
                                                                 ("b.jpg", "image/jpeg")]
        assert len({r.instance_id for r in rows}) == 1 and rows[0].instance_id is not None


def test_start_form_refuses_a_bad_photo_beside_the_field(app, client, auth):
    auth.login("cs_li")
    response = client.post("/processes/complaint_handling", content_type="multipart/form-data", data={
        "csrf_token": token(client, "/processes"), "customer_name": "王女士",
        "photos": [(io.BytesIO(b"#!/bin/sh\nrm -rf /"), "evil.jpg")]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="f-photos-error"' in html and "evil.jpg" in html and "不支持该文件类型" in html
    assert stored(app) == (0, [])


def test_a_start_form_refused_by_the_engine_leaves_no_file_behind(app, client, auth):
    """The photo was fine but the case was not started: its row is rolled back, and its file goes too."""
    auth.login("cs_li")
    response = client.post("/processes/complaint_handling", content_type="multipart/form-data", data={
        "csrf_token": token(client, "/processes"), "customer_name": "王女士", "store_code": "SH001",
        "photos": [(io.BytesIO(PNG), "a.png")]})
    assert response.status_code == 422
    assert stored(app) == (0, [])


def test_only_the_uploader_removes_a_file(app, client, auth, api):
    case = complaint(api)
    task_id = case["open_tasks"][0]["id"]
    auth.login("manager_sh001")
    upload(client, case, PNG, "a.png")
    attachment_id = int(re.search(r'/attachments/(\d+)"', client.get(f"/tasks/{task_id}")
                                  .get_data(as_text=True)).group(1))
    auth.logout()
    auth.login("cs_li")
    assert client.post(f"/attachments/{attachment_id}/delete",
                       data={"csrf_token": token(client)}).status_code == 403
    auth.logout()
    auth.login("manager_sh001")
    assert client.post(f"/attachments/{attachment_id}/delete").status_code == 400  # CSRF
    response = client.post(f"/attachments/{attachment_id}/delete",
                           data={"csrf_token": token(client), "next": f"/tasks/{task_id}"})
    assert response.status_code == 303
    assert stored(app) == (0, [])
