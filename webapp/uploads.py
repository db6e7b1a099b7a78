"""Storing the files chosen in a form's file inputs and writing their ids into the form's data."""
from __future__ import annotations

from typing import Any, Mapping

from flask import current_app
from werkzeug.datastructures import FileStorage

from engine.attachments import DATABASE, AttachmentRefused, store_attachment
from engine.models import User

from .extensions import db, engine
from .ui.form_fields import Ready, widget_of
from .ui.schema_text import upload_error


def save_upload(user: User, upload: FileStorage, now: Any, instance_id: int | None,
                task_id: int | None = None) -> Any:
    """Store one uploaded file with the app's limits; raises AttachmentRefused."""
    return store_attachment(db.session, user, upload.stream, upload.filename or "", now=now,
                            upload_dir=current_app.config["UPLOAD_DIR"],
                            max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"],
                            instance_id=instance_id, task_id=task_id, rules=engine().supervision,
                            storage=current_app.config.get("ATTACHMENT_STORAGE", DATABASE))


def save_form_files(schema: Mapping[str, Any] | None, files: Any, data: dict[str, Any], user: User, now: Any,
                    instance_id: int | None, task_id: int | None = None) -> dict[str, str]:
    """Keep the files of each file input; their ids join `data[key]`. Returns refusals by field."""
    errors: dict[str, str] = {}
    for key, prop in ((schema or {}).get("properties") or {}).items():
        if not isinstance(prop, Mapping) or prop.get("readOnly") or widget_of(key, prop) != "files":
            continue
        uploads = [f for f in files.getlist(key) if f and f.filename]
        if not uploads:
            continue
        ids = [str(v) for v in data.get(key) or []]
        limit = (prop.get("maxItems") or 100) - len(ids)
        for upload in uploads[:max(limit, 0)]:
            try:
                ids.append(str(save_upload(user, upload, now, instance_id, task_id).id))
            except AttachmentRefused as exc:
                errors[key] = Ready(f"{upload.filename}: {upload_error(exc.reason, exc.limit)}")
        if ids:
            data[key] = ids
    return errors
