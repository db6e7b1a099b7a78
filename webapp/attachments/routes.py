"""Upload a file to a case, look at it, remove it. Files are sent only after asking whether the
person may see the case, with headers that keep a browser from running anything in them."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.attachments import INLINE_TYPES, AttachmentRefused, delete_attachment, visible_attachment

from ..attachment_content import attachment_response
from ..extensions import db, engine
from ..ui.schema_text import upload_error
from ..uploads import save_upload
from .blueprint import bp


def _back(default: str) -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


@bp.post("/cases/<int:instance_id>/attachments")
@login_required
def upload(instance_id: int) -> Any:
    back = _back(url_for("tasks.index")) + "#attachments"
    files = [f for f in request.files.getlist("file") if f and f.filename]
    if not files:
        flash(_("Choose a file first."), "warning")
        return redirect(back, 303)
    task_id = request.form.get("task_id", type=int)
    stored, refused = 0, []
    for upload_file in files[:10]:
        try:
            save_upload(current_user, upload_file, engine().clock(), instance_id, task_id)
            stored += 1
        except AttachmentRefused as exc:
            refused.append(f"{upload_file.filename}: {upload_error(exc.reason, exc.limit)}")
    db.session.commit()
    if stored:
        flash(_("%(n)d file(s) attached.", n=stored), "success")
    for message in refused:
        flash(message, "danger")
    return redirect(back, 303)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Any:
    row = visible_attachment(db.session, current_user, attachment_id, rules=engine().supervision)
    inline = row.content_type in INLINE_TYPES and not request.args.get("download")
    return attachment_response(row, inline=inline, policy="default-src 'none'; img-src 'self'; sandbox")


@bp.post("/attachments/<int:attachment_id>/delete")
@login_required
def remove(attachment_id: int) -> Any:
    path = delete_attachment(db.session, current_user, attachment_id, current_app.config["UPLOAD_DIR"],
                             engine().clock(), rules=engine().supervision)
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_("The file was removed."), "success")
    return redirect(_back(url_for("tasks.index")) + "#attachments", 303)
