"""Sending an attachment's bytes, wherever they are kept (the database or the shared folder): streamed
a chunk at a time, never whole in memory, with headers that keep a browser from running anything in them.

`Range: bytes=...` is answered the same for both storages (`byte_ranges` reads the header): one range
is a 206 with `Content-Range`, reading only the chunks that hold it (a resumed download, a video or PDF
viewer seeking); several are a 206 multipart/byteranges, each part read only as it is sent; a header
that is malformed or whose ranges all lie past the end is a 416 with `Content-Range: bytes */<size>`;
a unit other than bytes, more than `MAX_RANGES` ranges, or an `If-Range` naming another version of the
file get the whole file (200), as RFC 9110 allows. The ETag is the file's SHA-256, whatever the storage."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, current_app, make_response, request
from flask_babel import gettext as _

from engine.attachments import parts_of
from engine.models import Attachment

from .byte_ranges import RangePlan, multipart, plan_ranges
from .errors import error_response
from .extensions import db


def attachment_response(row: Attachment, *, inline: bool, policy: str) -> Response:
    """The response sending `row`'s file; the caller has checked that the person may see it."""
    plan = _plan(row)
    if plan.refused:
        return _guarded(_refused(row), policy)
    parts = parts_of(db.session, db.engine, row, current_app.config["UPLOAD_DIR"], plan.spans)
    if parts is None:
        abort(404)
    response = Response(mimetype=row.content_type, direct_passthrough=True)
    spans = plan.spans
    if spans is None:
        response.response, length = parts[0], row.size
    elif len(spans) == 1:
        (start, stop), = spans
        response.response, length = parts[0], stop - start
        response.status_code = 206
        response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{row.size}"
    else:
        body = multipart(spans, parts, row.size, row.content_type)
        response.response, length = body.body, body.length
        response.status_code = 206
        response.headers["Content-Type"] = body.content_type
    response.headers["Content-Length"] = str(length)
    response.headers["Content-Disposition"] = _disposition(row.filename, inline)
    response.headers["Accept-Ranges"] = "bytes"
    response.set_etag(row.sha256)
    response.make_conditional(request)
    return _guarded(response, policy)


def _plan(row: Attachment) -> RangePlan:
    header = request.headers.get("Range")
    if header is None or request.method not in ("GET", "HEAD"):
        return RangePlan()
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != f'"{row.sha256}"':
        return RangePlan()  # the client's copy is another version: the whole file
    return plan_ranges(header, row.size)


def _refused(row: Attachment) -> Response:
    refused = make_response(error_response(
        "range_not_satisfiable", _("The range asked for is not within the file (%(size)d bytes).",
                                   size=row.size), 416, {"Range": "invalid"}))
    refused.headers["Content-Range"] = f"bytes */{row.size}"
    return refused


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
