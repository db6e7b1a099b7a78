"""Files attached to a case: photos of damaged goods, display photos, delivery notes.

Files live outside the web root, in an upload directory the caller names, under a random key; only
the row knows the original file name. A file's type is decided from its first bytes, never from its
name or the browser's content type, so a renamed script is never stored as a photo. Files are only
handed out through `visible_attachment`, which asks whether the person may see the case.

A file chosen on a start form is stored before its case exists: it is *pending* (no case), visible
only to its uploader, and `link_pending` attaches it to the case once the case has started.

The bytes are kept in the database or in a folder (`storage.py`). A file in the database goes and
comes with its row's transaction. A file in the folder is written before the caller commits its row;
if the transaction rolls back instead (a refused form, a failed commit), the files it wrote are removed
again, so none is left without a row.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, Mapping

from sqlalchemy import event, select
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.orm import Session, SessionTransaction

from engine.access.visibility import may_see

from ..errors import InvalidData, NotFound, PermissionDenied
from ..models import Attachment, AuditEvent, ProcessInstance, User
from ..policy import SupervisionRules
from .storage import (
    CHUNK_BYTES,
    DATABASE,
    FOLDER,
    WRITTEN,
    database_chunks,
    database_range,
    database_ranges,
    folder_chunks,
    folder_range,
    in_database,
    path_of,
    remove_from_database,
    write_to_database,
    write_to_folder,
)

#: Content types we keep, recognised by their leading bytes.
ALLOWED_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "application/pdf")
#: Types a browser may show inline; everything else is sent as a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}


@dataclass(frozen=True)
class AttachmentView:
    id: int
    instance_id: int | None
    task_id: int | None
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    created_at: datetime

    @property
    def is_image(self) -> bool:
        return self.content_type in INLINE_TYPES


class AttachmentRefused(InvalidData):
    """An upload that breaks the limits; `reason` is too_large, forbidden_type or empty."""

    def __init__(self, reason: str, message: str, limit: int | None = None) -> None:
        super().__init__(message, {"file": reason})
        self.reason = reason
        self.limit = limit


def detect_type(head: bytes) -> str | None:
    """The content type of a file from its first bytes, or None when it is not one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def view_of(row: Attachment) -> AttachmentView:
    return AttachmentView(id=row.id, instance_id=row.instance_id, task_id=row.task_id, filename=row.filename,
                          content_type=row.content_type, size=row.size, uploaded_by=row.uploaded_by.username,
                          created_at=row.created_at)


def _clean_name(filename: str) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"|?*')
    return name[-200:] or "file"


def store_attachment(session: Session, user: User, stream: BinaryIO, filename: str, *,
                     upload_dir: str | Path, max_bytes: int, now: datetime,
                     instance_id: int | None = None, task_id: int | None = None,
                     rules: SupervisionRules, storage: str = FOLDER) -> AttachmentView:
    """Check and keep one uploaded file, read a chunk at a time into `storage` (DATABASE or FOLDER);
    refuse it (storing nothing) when it breaks the limits."""
    instance = None
    if instance_id is not None:
        instance = session.get(ProcessInstance, instance_id)
        if instance is None or not may_see(session, user, instance, rules=rules):
            raise NotFound(f"case {instance_id} does not exist")
        if instance.status not in ("running", "suspended"):
            raise PermissionDenied(f"case {instance_id} has ended; no more files can be added")
    head = stream.read(CHUNK_BYTES)
    if not head:
        raise AttachmentRefused("empty", "the file is empty")
    content_type = detect_type(head[:16])
    if content_type is None:
        raise AttachmentRefused("forbidden_type", "only photos (JPEG, PNG, GIF, WebP, HEIC) and PDF files "
                                "may be attached")
    row = Attachment(instance_id=instance_id, task_id=task_id, uploaded_by_id=user.id,
                     filename=_clean_name(filename), content_type=content_type, size=0, sha256="",
                     storage_key=secrets.token_hex(16), created_at=now)
    session.add(row)
    session.flush()
    digest = hashlib.sha256()

    def pieces() -> Iterator[bytes]:
        piece = head
        while piece:
            row.size += len(piece)
            if row.size > max_bytes:
                raise AttachmentRefused("too_large", f"the file is larger than {max_bytes} bytes", max_bytes)
            digest.update(piece)
            yield piece
            piece = stream.read(CHUNK_BYTES)

    try:
        if storage == DATABASE:
            write_to_database(session, row.id, pieces())
        else:
            write_to_folder(session, path_of(upload_dir, row), pieces())
    except AttachmentRefused:
        remove_from_database(session, row.id)
        session.delete(row)
        session.flush()
        raise
    row.sha256 = digest.hexdigest()
    session.flush()
    if instance is not None:
        _record(session, row, user, now, "attachment_added")
    return view_of(row)


def _record(session: Session, row: Attachment, user: User, now: datetime, event_type: str) -> None:
    session.add(AuditEvent(instance_id=row.instance_id, task_id=row.task_id, event_type=event_type,
                           actor_id=user.id, at=now, message=row.filename,
                           data={"attachment_id": row.id, "filename": row.filename,
                                 "content_type": row.content_type, "size": row.size}))


def link_pending(session: Session, user: User, attachment_ids: Iterable[int], instance_id: int,
                 now: datetime) -> None:
    """Attach files uploaded with a start form to the case that form started."""
    ids = sorted({int(i) for i in attachment_ids})
    if not ids:
        return
    rows = session.scalars(select(Attachment).where(Attachment.id.in_(ids))).all()
    for row in rows:
        if row.uploaded_by_id != user.id or row.instance_id not in (None, instance_id):
            raise PermissionDenied(f"attachment {row.id} is not yours to attach")
        if row.instance_id is None:
            row.instance_id = instance_id
            _record(session, row, user, now, "attachment_added")
    session.flush()


def referenced(session: Session, user: User, fields: Mapping[str, Any], instance_id: int | None) -> list[int]:
    """The attachments a submission names by id in its file fields (`{"photos": ["12"]}`), as a client
    of the API sends them after uploading each. Each must be the sender's own upload still waiting for
    a case, or a file already on this case: anything else is refused naming the field (`photos.0`),
    before the command runs, so that a form requiring a file is never met by someone else's. Returns
    the ids still waiting for a case, for `link_pending` once the command has run."""
    wanted: dict[str, int | None] = {}
    for key, values in fields.items():
        for n, value in enumerate(values if isinstance(values, list) else [values]):
            text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
            wanted[f"{key}.{n}"] = int(text) if text.isdigit() and 0 < int(text) < 2**31 else None
    ids = {i for i in wanted.values() if i is not None}
    rows = {r.id: r for r in session.scalars(select(Attachment).where(Attachment.id.in_(ids)))} if ids else {}
    refused = {}
    for where, ident in wanted.items():
        row = rows.get(ident) if ident is not None else None
        if row is None or not ((row.instance_id is None and row.uploaded_by_id == user.id)
                               or (instance_id is not None and row.instance_id == instance_id)):
            refused[where] = "unknown"
    if refused:
        raise InvalidData("attachments that are not uploaded or not yours: " + ", ".join(refused), refused)
    return sorted(i for i in ids if rows[i].instance_id is None)


def list_attachments(session: Session, instance_id: int) -> list[AttachmentView]:
    """The files of one case, oldest first; the caller has checked that the case may be seen."""
    rows = session.scalars(select(Attachment).where(Attachment.instance_id == instance_id)
                           .order_by(Attachment.id)).all()
    return [view_of(r) for r in rows]


def visible_attachment(session: Session, user: User, attachment_id: int, *,
                       rules: SupervisionRules) -> Attachment:
    """The attachment if `user` may see it; NotFound otherwise, so its existence is not revealed."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(f"attachment {attachment_id} does not exist")
    if row.instance_id is None:
        if row.uploaded_by_id != user.id:
            raise NotFound(f"attachment {attachment_id} does not exist")
        return row
    instance = session.get(ProcessInstance, row.instance_id)
    if instance is None or not may_see(session, user, instance, rules=rules):
        raise NotFound(f"attachment {attachment_id} does not exist")
    return row


def delete_attachment(session: Session, user: User, attachment_id: int, upload_dir: str | Path,
                      now: datetime, *, rules: SupervisionRules) -> Path:
    """Remove a file its uploader added by mistake while the case still runs.

    Bytes in the database go with the row, in the caller's transaction. Returns the path the file
    would have in the folder; the caller deletes it after committing, so a failed commit never loses
    a file whose row is still there.
    """
    row = visible_attachment(session, user, attachment_id, rules=rules)
    if row.uploaded_by_id != user.id:
        raise PermissionDenied("only the person who added a file may remove it")
    if row.instance_id is not None:
        instance = session.get(ProcessInstance, row.instance_id)
        if instance is not None and instance.status not in ("running", "suspended"):
            raise PermissionDenied("the case has ended; its files are kept")
        _record(session, row, user, now, "attachment_removed")
    path = path_of(upload_dir, row)
    remove_from_database(session, row.id)
    session.delete(row)
    session.flush()
    return path


def content_of(session: Session, sql_engine: SqlEngine, row: Attachment, upload_dir: str | Path,
               byte_range: tuple[int, int] | None = None) -> Iterator[bytes] | Path | None:
    """An attachment's bytes: its chunks as they are read from the database (each on a connection of
    `sql_engine`, so a slow download holds none between chunks) — with `byte_range` (start, stop) only
    those bytes, read from the chunks holding them —, or its file's path in the folder (the caller
    sends the range of it); None when the file has gone missing from the folder."""
    if in_database(session, row.id):
        if byte_range is not None:
            return database_range(sql_engine, row.id, *byte_range)
        return database_chunks(sql_engine, row.id)
    path = path_of(upload_dir, row)
    return path if path.is_file() else None


def parts_of(session: Session, sql_engine: SqlEngine, row: Attachment, upload_dir: str | Path,
             spans: list[tuple[int, int]] | None) -> list[Iterator[bytes]] | None:
    """The bytes of each range `spans` names ((start, stop), stop exclusive; None: the whole file) of
    an attachment, wherever it is kept, each part read a chunk at a time only as it is sent — so a
    download of several ranges is never whole in memory either; None when the file has gone missing
    from the folder."""
    if in_database(session, row.id):
        if spans is None:
            return [database_chunks(sql_engine, row.id)]
        return database_ranges(sql_engine, row.id, spans)
    path = path_of(upload_dir, row)
    if not path.is_file():
        return None
    if spans is None:
        return [folder_chunks(path)]
    return [folder_range(path, start, stop) for start, stop in spans]


@event.listens_for(Session, "after_commit")
def _keep_written_files(session: Session) -> None:
    session.info.pop(WRITTEN, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_written_files(session: Session, transaction: SessionTransaction) -> None:
    """Whatever the outermost transaction leaves when it ends without committing (rolled back, or
    its session closed) goes; `after_commit` has already taken the files of one that committed."""
    if transaction.parent is not None:  # a savepoint or subtransaction: the enclosing one decides
        return
    for path in session.info.pop(WRITTEN, ()):
        path.unlink(missing_ok=True)
