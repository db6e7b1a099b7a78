"""Moving every attachment's bytes between the database and the folder (`opsflow attachments move`),
for an installation that changes its storage.

Each file moves in a transaction of its own and is checked against its row's size and SHA-256 before
that transaction commits; the copy it leaves behind is removed only after the commit. A move stopped
anywhere (a crash, Ctrl-C) leaves every file readable where it is, and running it again finishes it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import Attachment
from .storage import (
    DATABASE,
    FOLDER,
    STORAGES,
    database_chunks,
    folder_chunks,
    in_database,
    path_of,
    remove_from_database,
    write_to_database,
    write_to_folder,
)


@dataclass
class MoveReport:
    moved: int = 0
    already: int = 0  # were in the target storage before
    missing: int = 0  # no bytes anywhere: a file lost from the folder
    damaged: int = 0  # bytes whose size or hash is not the row's: left where they are
    gone: int = 0  # deleted while the move ran


class _Damaged(Exception):
    pass


def _checked(pieces: Iterable[bytes], row: Attachment) -> Iterator[bytes]:
    """The pieces, then a _Damaged raised before the last one is taken when they are not the row's file."""
    digest, size = hashlib.sha256(), 0
    for piece in pieces:
        digest.update(piece)
        size += len(piece)
        if size > row.size:
            raise _Damaged
        yield piece
    if size != row.size or digest.hexdigest() != row.sha256:
        raise _Damaged


def move_attachments(sessions: Callable[[], Session], upload_dir: str | Path, to: str) -> MoveReport:
    """Move the bytes of every attachment not yet in storage `to` there."""
    if to not in STORAGES:
        raise ValueError(f"storage must be one of {STORAGES}, not {to!r}")
    report = MoveReport()
    with sessions() as session:
        ids = list(session.scalars(select(Attachment.id).order_by(Attachment.id)))
    for attachment_id in ids:
        with sessions() as session:
            outcome = _move_one(session, attachment_id, Path(upload_dir), to)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _move_one(session: Session, attachment_id: int, upload_dir: Path, to: str) -> str:
    row = session.get(Attachment, attachment_id)
    if row is None:
        return "gone"
    path = path_of(upload_dir, row)
    stored = in_database(session, attachment_id)
    try:
        if to == DATABASE:
            if stored:
                path.unlink(missing_ok=True)  # left by a run stopped between its commit and this
                return "already"
            if not path.is_file():
                return "missing"
            write_to_database(session, attachment_id, _checked(folder_chunks(path), row))
            session.commit()
            path.unlink(missing_ok=True)
            return "moved"
        assert to == FOLDER
        if not stored:
            return "already" if path.is_file() else "missing"
        write_to_folder(session, path, _checked(database_chunks(session, attachment_id), row))
        remove_from_database(session, attachment_id)
        session.commit()
        return "moved"
    except _Damaged:
        session.rollback()
        return "damaged"
    except IntegrityError:  # the row was deleted under us
        session.rollback()
        return "gone"
