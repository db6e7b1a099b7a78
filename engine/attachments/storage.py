"""Where an attachment's bytes live: in the database (the default), as numbered chunks in
`attachment_chunk`, so that every app process on the database serves every file; or in a folder, which
must be shared storage when the app runs on more than one machine.

Bytes go in and out one chunk at a time, so a file is never whole in memory. A file's bytes are in the
database when it has chunks and in the folder otherwise: reading never depends on the configured
storage, and a move between the two (`moving.py`) may stop anywhere and be run again.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import LargeBinary, delete, func, insert, select
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.orm import Session

from ..models import Attachment, AttachmentChunk

DATABASE = "database"
FOLDER = "folder"
STORAGES = (DATABASE, FOLDER)
#: The bytes read, written, hashed or sent at a time.
CHUNK_BYTES = 256 * 1024
WRITTEN = "opsflow_written_files"

_chunks = AttachmentChunk.__table__


def path_of(upload_dir: str | Path, row: Attachment) -> Path:
    return Path(upload_dir) / row.storage_key[:2] / row.storage_key


def in_database(session: Session, attachment_id: int) -> bool:
    return session.scalar(select(_chunks.c.seq).where(_chunks.c.attachment_id == attachment_id,
                                                      _chunks.c.seq == 0)) is not None


def write_to_database(session: Session, attachment_id: int, pieces: Iterable[bytes]) -> None:
    """Insert each piece as one chunk row as it comes, in the caller's transaction."""
    for seq, piece in enumerate(pieces):
        session.execute(insert(_chunks), {"attachment_id": attachment_id, "seq": seq, "data": piece})


def write_to_folder(session: Session, target: Path, pieces: Iterable[bytes]) -> None:
    """Write the file beside its place and move it there whole; it is removed again if the
    session's transaction ends without committing (see the listeners in engine.attachments)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    try:
        with partial.open("wb") as out:
            for piece in pieces:
                out.write(piece)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    session.info.setdefault(WRITTEN, []).append(target)


def remove_from_database(session: Session, attachment_id: int) -> None:
    session.execute(delete(_chunks).where(_chunks.c.attachment_id == attachment_id))


def database_chunks(bind: Session | SqlEngine, attachment_id: int) -> Iterator[bytes]:
    """The file's chunks in order, one query each. Given the SQL engine (a download streaming after its
    request's session is gone), each chunk borrows a connection only while it is read."""
    seq = 0
    while True:
        query = select(_chunks.c.data).where(_chunks.c.attachment_id == attachment_id, _chunks.c.seq == seq)
        if isinstance(bind, Session):
            data = bind.scalar(query)
        else:
            with bind.connect() as connection:
                data = connection.scalar(query)
        if data is None:
            return
        yield bytes(data)
        seq += 1


def database_range(sql_engine: SqlEngine, attachment_id: int, start: int, stop: int) -> Iterator[bytes]:
    """Bytes `start` to `stop` (exclusive) of the file in the database, for a download of a range: the
    chunks' lengths are read first (without their bytes), then only the chunks holding the range, and
    of the first and the last only the part wanted (`substr` in the database). Each query borrows a
    connection only while it runs, as `database_chunks`."""
    with sql_engine.connect() as connection:
        sizes = connection.execute(select(_chunks.c.seq, func.length(_chunks.c.data))
                                   .where(_chunks.c.attachment_id == attachment_id)
                                   .order_by(_chunks.c.seq)).all()
    offset = 0
    for seq, size in sizes:
        low, high = max(start, offset), min(stop, offset + size)
        if low < high:
            part = func.substr(_chunks.c.data, low - offset + 1, high - low, type_=LargeBinary)
            with sql_engine.connect() as connection:
                data = connection.scalar(select(part).where(_chunks.c.attachment_id == attachment_id,
                                                            _chunks.c.seq == seq))
            if data is None:  # the file was removed while it was being sent
                return
            yield bytes(data)
        offset += size
        if offset >= stop:
            return


def folder_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while piece := source.read(CHUNK_BYTES):
            yield piece
