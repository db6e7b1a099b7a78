"""Sending an attachment's bytes, wherever they are kept: a file in the folder goes through `send_file`
(ranges and all), a file in the database streams out a chunk at a time, never whole in memory. Both
carry headers that keep a browser from running anything in them."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, current_app, request, send_file

from engine.attachments import content_of
from engine.models import Attachment

from .extensions import db


def attachment_response(row: Attachment, *, inline: bool, policy: str) -> Response:
    """The response sending `row`'s file; the caller has checked that the person may see it."""
    content = content_of(db.session, db.engine, row, current_app.config["UPLOAD_DIR"])
    if content is None:
        abort(404)
    if isinstance(content, Path):
        response = send_file(content, mimetype=row.content_type, as_attachment=not inline,
                             download_name=row.filename, max_age=0, conditional=True)
    else:
        response = Response(content, mimetype=row.content_type, direct_passthrough=True)
        response.headers["Content-Length"] = str(row.size)
        response.headers["Content-Disposition"] = _disposition(row.filename, inline)
        response.set_etag(row.sha256)
        response.make_conditional(request)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = policy
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _disposition(filename: str, inline: bool) -> str:
    """What send_file writes: an ASCII fallback name and the UTF-8 one (RFC 6266)."""
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
