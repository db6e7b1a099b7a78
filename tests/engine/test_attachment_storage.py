"""Attachments kept in the database: streamed in and out a chunk at a time, refused uploads keeping
nothing even when their transaction commits, removal with the row, and the move between the database
and the folder, both ways, checked and safe to run again."""
import hashlib
import io
import tracemalloc

import pytest
from sqlalchemy import func, select

from engine.attachments import (
    CHUNK_BYTES,
    DATABASE,
    FOLDER,
    AttachmentRefused,
    content_of,
    delete_attachment,
    move_attachments,
    path_of,
    store_attachment,
)
from engine.models import Attachment, AttachmentChunk
from engine.policy import SupervisionRules

PNG = b"\x89PNG\r\n\x1a\n"
LIMIT = 10 * 1024 * 1024


def png(size: int) -> bytes:
    return PNG + bytes(range(256)) * ((size - len(PNG)) // 256) + b"\x00" * ((size - len(PNG)) % 256)


def _store(session, user, uploads, clock, content, storage=DATABASE, max_bytes=LIMIT):
    return store_attachment(session, user, io.BytesIO(content), "photo.png", upload_dir=uploads,
                            max_bytes=max_bytes, now=clock(), rules=SupervisionRules(), storage=storage)


def _kept(session, uploads):
    """(attachment rows, chunk rows, files in the folder)"""
    rows = session.scalar(select(func.count()).select_from(Attachment))
    chunks = session.scalar(select(func.count()).select_from(AttachmentChunk))
    files = sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else []
    return rows, chunks, files


def _read(session, row, uploads) -> bytes:
    content = content_of(session, session.get_bind(), row, uploads)
    return content.read_bytes() if hasattr(content, "read_bytes") else b"".join(content)


@pytest.mark.parametrize("storage", [DATABASE, FOLDER])
def test_round_trip_and_removal(session, people, tmp_path, clock, storage):
    uploads, content = tmp_path / "uploads", png(3 * CHUNK_BYTES + 17)
    view = _store(session, people["manager_sh001"], uploads, clock, content, storage)
    session.commit()
    row = session.get(Attachment, view.id)
    assert (row.size, row.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert _read(session, row, uploads) == content
    rows, chunks, files = _kept(session, uploads)
    assert (rows, chunks, len(files)) == ((1, 4, 0) if storage == DATABASE else (1, 0, 1))
    path = delete_attachment(session, people["manager_sh001"], view.id, uploads, clock(),
                             rules=SupervisionRules())
    session.commit()
    path.unlink(missing_ok=True)
    assert _kept(session, uploads) == (0, 0, [])


@pytest.mark.parametrize("storage", [DATABASE, FOLDER])
def test_a_refused_upload_keeps_nothing_though_its_transaction_commits(session, people, tmp_path, clock,
                                                                         storage, dump):
    """The browser's upload refuses one file of several and commits the others."""
    uploads = tmp_path / "uploads"
    before = dump(session)
    with pytest.raises(AttachmentRefused) as refused:  # refused at its third chunk
        _store(session, people["manager_sh001"], uploads, clock, png(3 * CHUNK_BYTES), storage,
               max_bytes=2 * CHUNK_BYTES + 1)
    assert refused.value.reason == "too_large"
    with pytest.raises(AttachmentRefused):
        _store(session, people["manager_sh001"], uploads, clock, b"<script>", storage)
    session.commit()
    assert dump(session) == before
    assert _kept(session, uploads) == (0, 0, [])


def test_a_rolled_back_upload_leaves_no_chunks(session, people, tmp_path, clock):
    _store(session, people["manager_sh001"], tmp_path, clock, png(CHUNK_BYTES * 2))
    session.rollback()
    assert _kept(session, tmp_path / "uploads") == (0, 0, [])


def test_a_large_file_never_sits_whole_in_memory(session, people, tmp_path, clock):
    """10 MB, the size limit, goes in from a file and out to the caller a chunk at a time."""
    source = tmp_path / "big.png"
    source.write_bytes(png(LIMIT))
    tracemalloc.start()
    try:
        with source.open("rb") as stream:
            view = store_attachment(session, people["manager_sh001"], stream, "big.png", upload_dir=tmp_path,
                                    max_bytes=LIMIT, now=clock(), rules=SupervisionRules(), storage=DATABASE)
        session.commit()
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest, size, largest = hashlib.sha256(), 0, 0
        for piece in content_of(session, session.get_bind(), session.get(Attachment, view.id), tmp_path):
            digest.update(piece)
            size, largest = size + len(piece), max(largest, len(piece))
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size == LIMIT and digest.hexdigest() == hashlib.sha256(source.read_bytes()).hexdigest()
    assert largest == CHUNK_BYTES
    assert upload_peak < 8 * CHUNK_BYTES, upload_peak
    assert download_peak < 8 * CHUNK_BYTES, download_peak


def test_move_to_the_folder_and_back_checked_and_safe_to_repeat(sessions, session, people, tmp_path, clock):
    uploads = tmp_path / "uploads"
    contents = [png(CHUNK_BYTES + n) for n in (1, 2, 3)]
    ids = [_store(session, people["manager_sh001"], uploads, clock, c).id for c in contents]
    _store(session, people["manager_sh001"], uploads, clock, png(100), FOLDER)
    session.commit()

    report = move_attachments(sessions, uploads, FOLDER)
    assert (report.moved, report.already, report.missing, report.damaged) == (3, 1, 0, 0)
    session.expire_all()
    assert len(_kept(session, uploads)[2]) == 4 and _kept(session, uploads)[1] == 0
    assert [_read(session, session.get(Attachment, i), uploads) for i in ids] == contents
    assert move_attachments(sessions, uploads, FOLDER).already == 4  # again: nothing to do

    report = move_attachments(sessions, uploads, DATABASE)
    assert (report.moved, report.already, report.missing, report.damaged) == (4, 0, 0, 0)
    assert _kept(session, uploads)[2] == []
    assert [_read(session, session.get(Attachment, i), uploads) for i in ids] == contents
    assert move_attachments(sessions, uploads, DATABASE).already == 4


def test_a_damaged_or_missing_file_stays_where_it_is(sessions, session, people, tmp_path, clock):
    uploads = tmp_path / "uploads"
    damaged = _store(session, people["manager_sh001"], uploads, clock, png(1000), FOLDER)
    missing = _store(session, people["manager_sh001"], uploads, clock, png(1000), FOLDER)
    session.commit()
    path_of(uploads, session.get(Attachment, damaged.id)).write_bytes(png(999) + b"x")  # other bytes
    path_of(uploads, session.get(Attachment, missing.id)).unlink()
    report = move_attachments(sessions, uploads, DATABASE)
    assert (report.moved, report.missing, report.damaged) == (0, 1, 1)
    assert _kept(session, uploads)[1] == 0
    assert path_of(uploads, session.get(Attachment, damaged.id)).is_file()
