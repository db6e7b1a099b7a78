"""API routes for files: upload one (multipart, as the browser's file inputs do), read what it is,
download it, remove it. An uploaded file waits for a case, seen only by its uploader, until a start or
a step names its id in a file field (`"photos": ["12"]`), or is added to a case or task directly."""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request, url_for

from engine import access
from engine.attachments import (
    AttachmentRefused,
    AttachmentView,
    delete_attachment,
    referenced,
    view_of,
    visible_attachment,
)
from engine.errors import InvalidData

from ..attachment_content import attachment_response
from ..errors import error_response
from ..extensions import db, engine
from ..ui.form_fields import FILE_KEYS
from ..ui.schema_text import upload_error
from ..uploads import save_upload
from .auth import api_user, token_required
from .blueprint import bp

#: A refused upload's status: too large is 413, a type not kept 415, an empty file 422.
REFUSED_STATUS = {"too_large": 413, "forbidden_type": 415}


def attachment_dict(view: AttachmentView) -> dict[str, Any]:
    return {"id": view.id, "name": view.filename, "type": view.content_type, "size": view.size,
            "instance_id": view.instance_id, "task_id": view.task_id, "uploaded_by": view.uploaded_by,
            "created_at": view.created_at.isoformat(),
            "content_url": url_for("api.attachment_content", attachment_id=view.id)}


def names_files(data: dict[str, Any]) -> bool:
    """Whether a step's data names uploads: only then must the case be known before the command."""
    return any(isinstance(data.get(k), list) for k in FILE_KEYS)


def named_attachments(data: dict[str, Any], instance_id: int | None) -> list[int]:
    """The uploads a start's or a step's data names in its file fields, as the browser's form names
    the files it has just stored; ids sent as numbers are written as the strings the forms hold.
    Returns those waiting for a case, to link once the command has run."""
    fields = {k: data[k] for k in FILE_KEYS if isinstance(data.get(k), list)}
    for key, values in fields.items():
        data[key] = [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in values]
    return referenced(db.session, api_user(), fields, instance_id) if fields else []


def _context() -> tuple[int | None, int | None]:
    """The case (and step) a file is for, from the form's `instance_id` and `task_id`: either, or none."""
    numbers: dict[str, int | None] = {}
    for name in ("instance_id", "task_id"):
        text = (request.form.get(name) or "").strip()
        if text and not (text.isdigit() and 0 < int(text) < 2**31):
            raise InvalidData("the file's case or step is not an id", {name: "invalid"})
        numbers[name] = int(text) if text else None
    instance_id, task_id = numbers["instance_id"], numbers["task_id"]
    if task_id is not None:
        task = access.visible_task(db.session, api_user(), task_id, rules=engine().supervision,
                                   now=engine().clock())
        if instance_id not in (None, task.instance_id):
            raise InvalidData("the file's step is not a step of its case", {"task_id": "invalid"})
        instance_id = task.instance_id
    return instance_id, task_id


@bp.post("/attachments")
@token_required
def upload_attachment() -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidData("the file is missing", {"file": "required"})
    instance_id, task_id = _context()
    try:
        view = save_upload(api_user(), upload, engine().clock(), instance_id, task_id)
    except AttachmentRefused as exc:
        db.session.rollback()
        reason = upload_error(exc.reason, exc.limit)
        return error_response(exc.code, reason, REFUSED_STATUS.get(exc.reason, 422), {"file": reason})
    db.session.commit()
    return jsonify(attachment_dict(view)), 201, {
        "Location": url_for("api.attachment", attachment_id=view.id)}


@bp.get("/attachments/<int:attachment_id>")
@token_required
def attachment(attachment_id: int) -> Any:
    row = visible_attachment(db.session, api_user(), attachment_id, rules=engine().supervision)
    return jsonify(attachment_dict(view_of(row)))


@bp.get("/attachments/<int:attachment_id>/content")
@token_required
def attachment_content(attachment_id: int) -> Any:
    row = visible_attachment(db.session, api_user(), attachment_id, rules=engine().supervision)
    return attachment_response(row, inline=False, policy="default-src 'none'; sandbox")


@bp.delete("/attachments/<int:attachment_id>")
@token_required
def remove_attachment(attachment_id: int) -> Any:
    path = delete_attachment(db.session, api_user(), attachment_id, current_app.config["UPLOAD_DIR"],
                             engine().clock(), rules=engine().supervision)
    db.session.commit()
    path.unlink(missing_ok=True)
    return jsonify({"id": attachment_id, "deleted": True})
