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


def database_range(sql_engine: SqlEngine, attachment_id: int, start: int, stop: int,
                   sizes: list[tuple[int, int]] | None = None) -> Iterator[bytes]:
    """Bytes `start` to `stop` (exclusive) of the file in the database, for a download of a range: the
    chunks' lengths are read first (without their bytes; `chunk_sizes`, or given when several ranges of
    one file are sent), then only the chunks holding the range, and of the first and the last only the
    part wanted (`substr` in the database). Each query borrows a connection only while it runs, as
    `database_chunks`."""
    if sizes is None:
        sizes = chunk_sizes(sql_engine, attachment_id)
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


def chunk_sizes(sql_engine: SqlEngine, attachment_id: int) -> list[tuple[int, int]]:
    """(seq, length) of each of the file's chunks, in order, without their bytes."""
    with sql_engine.connect() as connection:
        return [(seq, size) for seq, size in connection.execute(
            select(_chunks.c.seq, func.length(_chunks.c.data))
            .where(_chunks.c.attachment_id == attachment_id).order_by(_chunks.c.seq))]


def database_ranges(sql_engine: SqlEngine, attachment_id: int,
                    spans: list[tuple[int, int]]) -> list[Iterator[bytes]]:
    """Several ranges of one file in the database, each read as `database_range` when its turn comes;
    the chunks' lengths are read once, by the first."""
    sizes: list[list[tuple[int, int]]] = []

    def one(start: int, stop: int) -> Iterator[bytes]:
        if not sizes:
            sizes.append(chunk_sizes(sql_engine, attachment_id))
        yield from database_range(sql_engine, attachment_id, start, stop, sizes[0])
    return [one(start, stop) for start, stop in spans]


def folder_range(path: Path, start: int, stop: int) -> Iterator[bytes]:
    """Bytes `start` to `stop` (exclusive) of a file in the folder, a chunk at a time; the file is
    opened when the first chunk is wanted."""
    with path.open("rb") as source:
        source.seek(start)
        left = stop - start
        while left > 0 and (piece := source.read(min(CHUNK_BYTES, left))):
            left -= len(piece)
            yield piece


def folder_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while piece := source.read(CHUNK_BYTES):
            yield piece
