"""The files' routes (photos, receipts, PDFs): upload one as multipart, read what it is, download it,
remove it. `document` merges them in; a start or a step names uploaded files by id in its file fields."""
from __future__ import annotations

from typing import Any

from engine.attachments import ALLOWED_TYPES

from .operations import READ, _param, op, returns
from .schemas import ID, TEXT, TIME, Schema, closed, nullable, ref

ATTACHMENT = _param("attachment_id", "path", {**ID}, "a file's id")
FILE_TYPE = {"type": "string", "enum": list(ALLOWED_TYPES),
             "description": "decided from the file's first bytes, never from its name"}

SCHEMAS: dict[str, Schema] = {
    "Attachment": closed({
        "id": ID,
        "name": {**TEXT, "description": "the file's name as uploaded (without folders)"},
        "type": FILE_TYPE,
        "size": {"type": "integer", "minimum": 1, "description": "bytes"},
        "instance_id": {**nullable(ID), "description": "its case; null while it waits to be named by a start "
                                                       "or a step (seen only by its uploader then)"},
        "task_id": {**nullable(ID), "description": "the step it was added on"},
        "uploaded_by": {**TEXT, "description": "a username"},
        "created_at": TIME,
        "content_url": {**TEXT, "description": "where to download it"},
    }, "A file: a photo, a receipt, a PDF."),
    "AttachmentDeleted": closed({"id": ID, "deleted": {"type": "boolean", "const": True}},
                                "The file is gone."),
}

UPLOAD_BODY: dict[str, Any] = {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "a photo (JPEG, PNG, GIF, WebP, HEIC) or a PDF"},
        "instance_id": {"type": "string", "pattern": "^[0-9]{1,10}$",
                        "description": "add it to this case now (one I may see, still running)"},
        "task_id": {"type": "string", "pattern": "^[0-9]{1,10}$",
                    "description": "add it on this step (its case is the step's)"}}},
    "encoding": {"file": {"contentType": ", ".join(ALLOWED_TYPES)}}}}}

_upload = op(
    "upload_attachment", "Upload a file (multipart `file`)", "Files",
    returns(ref("Attachment"), "the file as kept",
            headers={"Location": {"schema": {"type": "string"}, "description": "the file's URL"}}),
    status=201, errors=READ + (404, 403, 422),
    why={413: "the file is larger than the limit (`fields.file` says it), or the request is",
         415: "the file is not a photo or a PDF (`fields.file`)",
         422: "no `file`, an empty one, or `instance_id`/`task_id` that is not an id of the file's case or "
              "step (`fields` names it)"},
    description="Without `instance_id` or `task_id` the file waits, seen only by me, until a start or a step "
                "names its id in a file field (`{\"data\": {\"photos\": [\"12\"]}}`): an expense claim "
                "needs at least one receipt this way. Nothing is kept when the file is refused.")
_upload["requestBody"] = UPLOAD_BODY

PATHS: dict[str, dict[str, Any]] = {
    "/attachments": {"post": _upload},
    "/attachments/{attachment_id}": {
        "get": op("attachment", "What a file is", "Files", returns(ref("Attachment"), "the file"),
                  errors=READ + (404,), parameters=[ATTACHMENT],
                  description="404 for a file of a case I may not see, or another person's file that "
                              "waits for its case."),
        "delete": op("remove_attachment", "Remove a file I uploaded", "Files",
                     returns(ref("AttachmentDeleted"), "removed"), errors=READ + (403, 404),
                     parameters=[ATTACHMENT],
                     why={403: "someone else uploaded it, or its case has ended (its files are kept)"})},
    "/attachments/{attachment_id}/content": {"get": op(
        "attachment_content", "Download a file", "Files",
        {"description": "the file, as a download",
         "headers": {"Accept-Ranges": {"schema": {"type": "string", "enum": ["bytes"]}}},
         "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in ALLOWED_TYPES}},
        errors=READ + (404,), parameters=[ATTACHMENT, {
            "name": "Range", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "ranges of bytes, e.g. `bytes=0-1023`, `bytes=1024-`, `bytes=-500`: a 206 with "
                           "only those bytes; several (`bytes=0-9,20-29`, at most 16, overlapping ones "
                           "merged): a 206 multipart/byteranges, one part each with its Content-Range; "
                           "more than 16 or a unit other than bytes: the whole file"}, {
            "name": "If-Range", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "the ETag of my partial copy: another version of the file sends it whole"}],
        description="Resuming a download or seeking in a file: send `Range`.")},
}
_content = PATHS["/attachments/{attachment_id}/content"]["get"]["responses"]
_content["206"] = {
    "description": "the range of the file asked for; several ranges: multipart/byteranges",
    "headers": {"Content-Range": {"schema": {"type": "string"},
                                  "description": "bytes <first>-<last>/<size> (one range only)"}},
    "content": {**{t: {"schema": {"type": "string", "format": "binary"}} for t in ALLOWED_TYPES},
                "multipart/byteranges": {"schema": {"type": "string", "format": "binary"}}}}
_content["416"] = returns(ref("Error"), "every range is past the end of the file, or the header is malformed",
                          headers={"Content-Range": {"schema": {"type": "string"},
                                                     "description": "bytes */<size>"}})
