"""Sending an attachment's bytes, wherever they are kept: a file in the folder goes through `send_file`
(ranges and all), a file in the database streams out a chunk at a time, never whole in memory. Both
carry headers that keep a browser from running anything in them.

A file in the database answers a single `Range: bytes=...` with 206 and `Content-Range`, reading only
the chunks that hold the range (a resumed download, a video or PDF viewer seeking); a range that cannot
be read (past the end, malformed) is a 416 with `Content-Range: bytes */<size>`. Several ranges in
one request, or an `If-Range` naming another version of the file, get the whole file (200), as
RFC 9110 allows."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, current_app, make_response, request, send_file
from flask_babel import gettext as _
from werkzeug.http import parse_range_header

from engine.attachments import content_of
from engine.models import Attachment

from .errors import error_response
from .extensions import db


def attachment_response(row: Attachment, *, inline: bool, policy: str) -> Response:
    """The response sending `row`'s file; the caller has checked that the person may see it."""
    wanted = _range_wanted(row)
    if isinstance(wanted, Response):
        return _guarded(wanted, policy)
    content = content_of(db.session, db.engine, row, current_app.config["UPLOAD_DIR"], wanted)
    if content is None:
        abort(404)
    if isinstance(content, Path):
        response = send_file(content, mimetype=row.content_type, as_attachment=not inline,
                             download_name=row.filename, max_age=0, conditional=True)
    else:
        response = Response(content, mimetype=row.content_type, direct_passthrough=True)
        response.headers["Content-Disposition"] = _disposition(row.filename, inline)
        response.headers["Accept-Ranges"] = "bytes"
        response.set_etag(row.sha256)
        if wanted is None:
            response.headers["Content-Length"] = str(row.size)
        else:
            start, stop = wanted
            response.status_code = 206
            response.headers["Content-Length"] = str(stop - start)
            response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{row.size}"
        response.make_conditional(request)
    return _guarded(response, policy)


def _range_wanted(row: Attachment) -> tuple[int, int] | None | Response:
    """(start, stop) of the one range asked of a file `content_of` may read in part; None for the
    whole file; a 416 response for a range that cannot be served. A file in the folder is left to
    `send_file` (None here), which reads its Range itself."""
    header = request.headers.get("Range")
    if header is None or request.method not in ("GET", "HEAD") or row.size == 0:
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != f'"{row.sha256}"':
        return None  # the client's copy is another version: the whole file
    parsed = parse_range_header(header)
    if parsed is not None and len(parsed.ranges) > 1:
        return None
    span = parsed.range_for_length(row.size) if parsed is not None else None
    if span is None:
        refused = make_response(error_response(
            "range_not_satisfiable", _("The range asked for is not within the file (%(size)d bytes).",
                                       size=row.size), 416, {"Range": "invalid"}))
        refused.headers["Content-Range"] = f"bytes */{row.size}"
        return refused
    return span


def _guarded(response: Response, policy: str) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = policy
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _disposition(filename: str, inline: bool) -> str:
    """What send_file writes: an ASCII fallback name and the UTF-8 one (RFC 6266)."""
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
