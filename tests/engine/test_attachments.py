"""Stored files follow their transaction: kept when it commits, removed again when it rolls back."""
import io

import pytest
from sqlalchemy import func, select

from engine.attachments import AttachmentRefused, store_attachment
from engine.models import Attachment
from engine.policy import SupervisionRules

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _store(session, user, upload_dir, clock, content=PNG):
    return store_attachment(session, user, io.BytesIO(content), "photo.png", upload_dir=upload_dir,
                            max_bytes=1024, now=clock(), rules=SupervisionRules())


@pytest.fixture
def uploads(tmp_path):
    return tmp_path / "uploads"


def _files(upload_dir):
    return sorted(p for p in upload_dir.rglob("*") if p.is_file())


def test_a_file_whose_transaction_commits_is_kept(session, people, uploads, clock):
    _store(session, people["manager_sh001"], uploads, clock)
    session.commit()
    [kept] = _files(uploads)
    assert kept.read_bytes() == PNG
    session.rollback()  # a later rollback does not touch what an earlier commit kept
    assert _files(uploads) == [kept]


def test_a_file_whose_transaction_rolls_back_is_removed_with_its_row(session, people, uploads, clock):
    _store(session, people["manager_sh001"], uploads, clock)
    _store(session, people["manager_sh001"], uploads, clock)
    assert len(_files(uploads)) == 2
    session.rollback()
    assert _files(uploads) == []
    assert session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_a_refused_file_is_never_written(session, people, uploads, clock):
    with pytest.raises(AttachmentRefused):
        _store(session, people["manager_sh001"], uploads, clock, content=b"<script>")
    assert _files(uploads) == []


def test_closing_a_session_without_committing_removes_its_files(sessions, people, uploads, clock):
    """What a web request that fails after an upload does: its session is closed, not committed."""
    with sessions() as session:
        _store(session, session.get(type(people["cs_li"]), people["cs_li"].id), uploads, clock)
        assert len(_files(uploads)) == 1
    assert _files(uploads) == []


def test_a_submission_may_name_only_its_senders_waiting_files(session, people, uploads, clock):
    """What the API checks before a start or a step that names uploaded files by id."""
    from engine.attachments import referenced
    from engine.errors import InvalidData
    mine = _store(session, people["manager_sh001"], uploads, clock).id
    theirs = _store(session, people["manager_sh002"], uploads, clock).id
    assert referenced(session, people["manager_sh001"], {"photos": [str(mine), mine]}, None) == [mine]
    with pytest.raises(InvalidData) as refused:
        referenced(session, people["manager_sh001"], {"photos": [str(mine), str(theirs), "x", "0"]}, None)
    assert refused.value.fields == {"photos.1": "unknown", "photos.2": "unknown", "photos.3": "unknown"}
