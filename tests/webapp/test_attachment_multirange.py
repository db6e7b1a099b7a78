"""Several byte ranges in one request (issue 15), for files in the database and in the shared folder,
on SQLite and PostgreSQL: `bytes=0-9,20-29` → 206 multipart/byteranges, each part with its own
Content-Type and Content-Range, in the order asked, framed by a boundary the body does not hold; ranges
that overlap or touch coalesced; ranges past the end dropped, and 416 `bytes */size` when none is left;
too many ranges → the whole file. The database's parts are read from the chunks holding them only, a
chunk at a time; one test goes over a real socket."""
from __future__ import annotations

import hashlib
import http.client
import io
import re
import threading
import tracemalloc

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from engine.attachments import CHUNK_BYTES, DATABASE, FOLDER, store_attachment
from engine.models import User
from webapp.byte_ranges import MAX_RANGES
from webapp.extensions import db, engine

from .conftest import Api
from .test_attachment_ranges import ChunkReads, get
from .test_attachment_storage import png

SIZE = 2 * CHUNK_BYTES + 1000  # three chunks, the last one short


@pytest.fixture(params=[(s, b) for s in (DATABASE, FOLDER) for b in ("sqlite", "postgres")],
                ids=lambda p: "-".join(p))
def stored(request):
    storage, backend = request.param
    app = request.getfixturevalue("app" if backend == "sqlite" else "postgres_app")
    content = png(SIZE)
    with app.app_context():
        owner = db.session.scalars(select(User).filter_by(username="manager_sh001")).one()
        attachment_id = store_attachment(db.session, owner, io.BytesIO(content), "货损.png",
                                         storage=storage, upload_dir=app.config["UPLOAD_DIR"],
                                         max_bytes=SIZE, now=engine().clock(), rules=engine().supervision).id
        db.session.commit()
    return app, attachment_id, content, storage


def parts(content_type: str, body: bytes) -> list[tuple[str, str, bytes]]:
    """(Content-Type, Content-Range, bytes) of each part, read strictly: every part framed by the
    boundary, its bytes as long as its Content-Range says, the closing boundary last."""
    match = re.fullmatch(r"multipart/byteranges; boundary=([0-9a-f]{32})", content_type)
    assert match, content_type
    boundary, found, at = match.group(1).encode(), [], 0
    while True:
        lead = b"" if at == 0 else b"\r\n"
        if body[at:] == lead + b"--" + boundary + b"--\r\n":
            return found
        head = lead + b"--" + boundary + b"\r\n"
        assert body[at:at + len(head)] == head, body[at:at + 200]
        at += len(head)
        end = body.index(b"\r\n\r\n", at)
        headers = dict(line.split(": ", 1) for line in body[at:end].decode().split("\r\n"))
        at = end + 4
        first, last = map(int, re.fullmatch(r"bytes (\d+)-(\d+)/\d+", headers["Content-Range"]).groups())
        found.append((headers["Content-Type"], headers["Content-Range"], body[at:at + last - first + 1]))
        at += last - first + 1


def test_two_ranges_are_a_multipart_206(stored):
    app, attachment_id, content, storage = stored
    with ChunkReads(app) as reads:
        response = get(app, attachment_id, {"Range": "bytes=0-9,20-29"})
        body = response.get_data()
    assert response.status_code == 206 and "Content-Range" not in response.headers
    assert int(response.headers["Content-Length"]) == len(body)
    assert parts(response.headers["Content-Type"], body) == [
        ("image/png", f"bytes 0-9/{SIZE}", content[0:10]),
        ("image/png", f"bytes 20-29/{SIZE}", content[20:30])]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["ETag"] and response.headers["Accept-Ranges"] == "bytes"
    if storage == DATABASE:
        assert (reads.parts, reads.whole) == (2, 0)  # only the ten bytes of each, no whole chunk


def test_parts_come_in_the_order_asked_and_from_their_chunks_only(stored):
    app, attachment_id, content, storage = stored
    border = CHUNK_BYTES
    with ChunkReads(app) as reads:
        response = get(app, attachment_id, {"Range": f"bytes=-100, {border - 5}-{border + 4} ,100-199"})
        body = response.get_data()
    assert response.status_code == 206
    assert [(r, len(b), b) for _t, r, b in parts(response.headers["Content-Type"], body)] == [
        (f"bytes {SIZE - 100}-{SIZE - 1}/{SIZE}", 100, content[-100:]),
        (f"bytes {border - 5}-{border + 4}/{SIZE}", 10, content[border - 5:border + 5]),
        (f"bytes 100-199/{SIZE}", 100, content[100:200])]
    if storage == DATABASE:
        assert (reads.parts, reads.whole) == (4, 0)  # the middle range lies in two chunks


@pytest.mark.parametrize(("asked", "expected"), [
    ("bytes=0-99,50-149,200-209", [(0, 150), (200, 210)]),  # overlapping: one part
    ("bytes=300-309,0-9,10-19", [(300, 310), (0, 20)]),  # touching: one part, where the first was asked
    ("bytes=0-9,0-9,0-9,100-109", [(0, 10), (100, 110)]),  # the same range thrice: once
])
def test_overlapping_and_touching_ranges_are_coalesced(stored, asked, expected):
    app, attachment_id, content, _storage = stored
    response = get(app, attachment_id, {"Range": asked})
    assert response.status_code == 206
    assert [(r, b) for _t, r, b in parts(response.headers["Content-Type"], response.get_data())] == [
        (f"bytes {a}-{b - 1}/{SIZE}", content[a:b]) for a, b in expected]


def test_ranges_that_coalesce_into_one_are_a_plain_206(stored):
    app, attachment_id, content, _storage = stored
    response = get(app, attachment_id, {"Range": "bytes=0-,0-,0-"})  # three whole copies asked
    assert response.status_code == 206 and response.headers["Content-Range"] == f"bytes 0-{SIZE - 1}/{SIZE}"
    assert response.get_data() == content and response.headers["Content-Type"] == "image/png"


def test_ranges_past_the_end_are_dropped_and_416_when_none_is_left(stored):
    app, attachment_id, content, _storage = stored
    some = get(app, attachment_id, {"Range": f"bytes={SIZE}-,0-9,{SIZE + 10}-{SIZE + 20}"})
    assert some.status_code == 206 and some.headers["Content-Range"] == f"bytes 0-9/{SIZE}"
    assert some.get_data() == content[:10]
    none = get(app, attachment_id, {"Range": f"bytes={SIZE}-,{SIZE + 10}-{SIZE + 20},-0"})
    assert none.status_code == 416 and none.headers["Content-Range"] == f"bytes */{SIZE}"
    malformed = get(app, attachment_id, {"Range": "bytes=0-9,x-y"})
    assert malformed.status_code == 416 and malformed.headers["Content-Range"] == f"bytes */{SIZE}"


def test_too_many_ranges_get_the_whole_file(stored):
    app, attachment_id, content, _storage = stored
    many = ",".join(f"{i * 100}-{i * 100 + 9}" for i in range(MAX_RANGES + 1))
    response = get(app, attachment_id, {"Range": f"bytes={many}"})
    assert response.status_code == 200 and response.get_data() == content
    allowed = ",".join(f"{i * 100}-{i * 100 + 9}" for i in range(MAX_RANGES))
    assert get(app, attachment_id, {"Range": f"bytes={allowed}"}).status_code == 206


def test_several_ranges_over_a_real_socket(stored):
    app, attachment_id, content, _storage = stored
    token = Api(app.test_client()).token("manager_sh001")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        connection.request("GET", f"/api/v1/attachments/{attachment_id}/content",
                           headers={"Authorization": f"Bearer {token}",
                                    "Range": f"bytes=5-14,{CHUNK_BYTES}-{CHUNK_BYTES + CHUNK_BYTES // 2}"})
        answer = connection.getresponse()
        body = answer.read()
        connection.close()
    finally:
        server.shutdown()
        thread.join(10)
    assert answer.status == 206 and int(answer.getheader("Content-Length")) == len(body)
    half = CHUNK_BYTES + CHUNK_BYTES // 2
    assert [(r, b) for _t, r, b in parts(answer.getheader("Content-Type"), body)] == [
        (f"bytes 5-14/{SIZE}", content[5:15]),
        (f"bytes {CHUNK_BYTES}-{half}/{SIZE}", content[CHUNK_BYTES:half + 1])]


def test_the_parts_stream_a_chunk_at_a_time(stored):
    app, _attachment_id, _content, storage = stored
    big = png(12 * CHUNK_BYTES)  # 3 MB: nine chunks' worth asked, never more than a few in memory
    with app.app_context():
        owner = db.session.scalars(select(User).filter_by(username="manager_sh001")).one()
        attachment_id = store_attachment(db.session, owner, io.BytesIO(big), "大图.png", storage=storage,
                                         upload_dir=app.config["UPLOAD_DIR"], max_bytes=len(big),
                                         now=engine().clock(), rules=engine().supervision).id
        db.session.commit()
    token = Api(app.test_client()).token("manager_sh001")
    response = app.test_client().get(f"/api/v1/attachments/{attachment_id}/content", headers={
        "Authorization": f"Bearer {token}", "Range": f"bytes=0-{5 * CHUNK_BYTES - 1},{8 * CHUNK_BYTES}-"})
    assert response.status_code == 206 and response.is_streamed
    boundary = response.headers["Content-Type"].rpartition("=")[2]
    size, cut = len(big), 8 * CHUNK_BYTES

    def head(lead: str, first: int, last: int) -> bytes:
        return (f"{lead}--{boundary}\r\nContent-Type: image/png\r\n"
                f"Content-Range: bytes {first}-{last}/{size}\r\n\r\n").encode()
    expected = hashlib.sha256(head("", 0, 5 * CHUNK_BYTES - 1) + big[:5 * CHUNK_BYTES]
                              + head("\r\n", cut, size - 1) + big[cut:]
                              + f"\r\n--{boundary}--\r\n".encode()).hexdigest()
    del big
    digest, sizes = hashlib.sha256(), []
    tracemalloc.start()
    try:
        for piece in response.response:  # each piece as it comes, then dropped
            digest.update(piece)
            sizes.append(len(piece))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        response.close()
    assert digest.hexdigest() == expected
    assert max(sizes) <= CHUNK_BYTES and sum(sizes) > 9 * CHUNK_BYTES
    assert peak < 4 * CHUNK_BYTES, peak  # a few chunks at most, never the 9 asked or the 12 kept
