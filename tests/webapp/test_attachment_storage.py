"""Attachments reachable from every app process: two apps on one database, each with its own upload
folder, serve the files uploaded through the other when they are kept in the database; downloads
stream a chunk at a time; the folder storage still works; `opsflow attachments move` both ways."""
from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.attachments import CHUNK_BYTES, DATABASE, store_attachment
from engine.clock import FrozenClock
from engine.models import Attachment, AttachmentChunk, User
from webapp import create_app
from webapp.bootstrap import prepare
from webapp.cli import main
from webapp.extensions import db, engine

from .conftest import Api

LIMIT = 10 * 1024 * 1024


def png(size: int) -> bytes:
    head = b"\x89PNG\r\n\x1a\n"
    return head + bytes(range(256)) * ((size - len(head)) // 256) + b"\x01" * ((size - len(head)) % 256)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.sqlite'}"
    from engine import schema
    from engine.db import make_sql_engine
    url = request.getfixturevalue("webapp_postgres_url")
    fresh = make_sql_engine(url)
    schema.drop_all(fresh)
    fresh.dispose()
    return url


@pytest.fixture
def instances(database, tmp_path):
    """`instances(**config)`: two apps on the same database, upload folders a/ and b/."""
    made = []

    def make(**config):
        clock = FrozenClock()
        for name in ("a", "b"):
            app = create_app("test", SQLALCHEMY_DATABASE_URI=database, UPLOAD_DIR=str(tmp_path / name),
                             CLOCK=clock, **config)
            prepare(app)
            made.append(app)
        return made[-2], made[-1]
    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def send(app, content: bytes, who: str = "manager_sh001"):
    return Api(app.test_client()).as_(who).post(
        "/attachments", content_type="multipart/form-data", data={"file": (io.BytesIO(content), "货损.png")})


def download(app, attachment_id: int, who: str = "manager_sh001", read: bool = True):
    """GET a file's content, read and closed (send_file keeps a file open until then) unless `read` is
    False."""
    response = Api(app.test_client()).as_(who).get(f"/attachments/{attachment_id}/content")
    if read:
        response.get_data()
        response.close()
    return response


def remove(app, attachment_id: int, who: str = "manager_sh001"):
    token = Api(app.test_client()).token(who)
    return app.test_client().delete(f"/api/v1/attachments/{attachment_id}",
                                    headers={"Authorization": f"Bearer {token}"})


def kept(app) -> tuple[int, int, int]:
    """(attachment rows, chunk rows, files in this app's upload folder)"""
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Attachment))
        chunks = db.session.scalar(select(func.count()).select_from(AttachmentChunk))
    folder = Path(app.config["UPLOAD_DIR"])
    return rows, chunks, len([p for p in folder.rglob("*") if p.is_file()]) if folder.exists() else 0


def test_each_instance_serves_what_was_uploaded_through_the_other(instances):
    a, b = instances()
    assert a.config["ATTACHMENT_STORAGE"] == "database"  # the default
    first, second = png(CHUNK_BYTES + 5), png(CHUNK_BYTES)
    through_a = send(a, first)
    through_b = send(b, second)
    assert through_a.status_code == through_b.status_code == 201
    for app, upload, content in ((b, through_a, first), (a, through_b, second)):
        response = download(app, upload.get_json()["id"], read=False)
        assert response.status_code == 200 and response.is_streamed
        assert response.get_data() == content and response.headers["Content-Length"] == str(len(content))
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "attachment;" in response.headers["Content-Disposition"]
    assert kept(a) == (2, 3, 0) and kept(b)[2] == 0
    assert remove(b, through_a.get_json()["id"]).status_code == 200
    assert download(a, through_a.get_json()["id"]).status_code == 404
    assert kept(a) == (1, 1, 0)


def test_a_download_streams_a_chunk_at_a_time(instances):
    """Stored through the engine: the test client would build a 10 MB request in memory."""
    a, b = instances(ATTACHMENT_MAX_BYTES=LIMIT)
    content = png(LIMIT)
    with a.app_context():
        owner = db.session.scalars(select(User).filter_by(username="manager_sh001")).one()
        attachment_id = store_attachment(db.session, owner, io.BytesIO(content), "big.png", storage=DATABASE,
                                         upload_dir=a.config["UPLOAD_DIR"], max_bytes=LIMIT,
                                         now=engine().clock(), rules=engine().supervision).id
        db.session.commit()
    response = download(b, attachment_id, read=False)
    assert response.status_code == 200 and response.is_streamed
    tracemalloc.start()
    try:
        pieces = [len(piece) for piece in response.response]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        response.close()
    assert sum(pieces) == LIMIT and max(pieces) == CHUNK_BYTES and len(pieces) == LIMIT // CHUNK_BYTES
    assert peak < 8 * CHUNK_BYTES, peak
    again = download(b, attachment_id)
    assert again.get_data() == content


def test_a_refused_upload_keeps_nothing(instances):
    a, _ = instances(ATTACHMENT_MAX_BYTES=CHUNK_BYTES + 1)  # refused at its second chunk
    response = send(a, png(CHUNK_BYTES + 1000))
    assert response.status_code == 413
    assert kept(a) == (0, 0, 0)


def test_the_folder_storage_round_trip(instances):
    a, b = instances(ATTACHMENT_STORAGE="folder")
    content = png(CHUNK_BYTES + 1)
    upload = send(a, content)
    assert upload.status_code == 201
    assert kept(a) == (1, 0, 1)
    assert download(a, upload.get_json()["id"]).get_data() == content
    assert "static" not in a.config["UPLOAD_DIR"]
    # b's folder is not a's: the folder must be storage both mount, the reason the database is the default
    assert download(b, upload.get_json()["id"]).status_code == 404
    assert remove(a, upload.get_json()["id"]).status_code == 200
    assert kept(a) == (0, 0, 0)


def test_the_move_command_both_ways(instances, database, tmp_path):
    a, b = instances()
    contents = [png(CHUNK_BYTES + n) for n in range(3)]
    ids = [send(a, c).get_json()["id"] for c in contents]
    env = {"DATABASE_URL": database, "OPSFLOW_UPLOAD_DIR": str(tmp_path / "a"), "OPSFLOW_DEMO": "1"}
    runner = CliRunner()
    result = runner.invoke(main, ["--config", "test", "attachments", "move", "--to", "folder"], env=env)
    assert result.exit_code == 0, result.output
    assert "moved 3, already in the folder 0, missing 0, damaged 0" in result.output
    assert kept(a) == (3, 0, 3)
    assert [download(a, i).get_data() for i in ids] == contents
    result = runner.invoke(main, ["--config", "test", "attachments", "move", "--to", "folder"], env=env)
    assert "moved 0, already in the folder 3" in result.output
    result = runner.invoke(main, ["--config", "test", "attachments", "move", "--to", "database"], env=env)
    assert result.exit_code == 0, result.output
    assert "moved 3, already in the database 0" in result.output
    assert kept(a) == (3, 5, 0)
    assert [download(b, i).get_data() for i in ids] == contents


def test_an_unknown_storage_stops_the_server():
    from config import ConfigError, load_config
    with pytest.raises(ConfigError, match="OPSFLOW_ATTACHMENT_STORAGE"):
        load_config("test", {"OPSFLOW_ATTACHMENT_STORAGE": "s3"})
    assert load_config("test", {"OPSFLOW_ATTACHMENT_STORAGE": "folder"})["ATTACHMENT_STORAGE"] == "folder"
