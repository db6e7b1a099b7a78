"""Range requests on attachments kept in the database: one range → 206 with Content-Range and only
those bytes, read from only the chunks that hold them; a range past the end or malformed → 416 with
`bytes */size`; a stale If-Range or a unit other than bytes → the whole file — through the API's content
route and the browser's download, on SQLite and PostgreSQL. Several ranges: test_attachment_multirange.py."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import event, select

from engine.attachments import CHUNK_BYTES, DATABASE, store_attachment
from engine.models import User
from webapp.extensions import db, engine

from .conftest import Api, AuthActions
from .test_attachment_storage import database, instances, png  # noqa: F401  (fixtures)

SIZE = 2 * CHUNK_BYTES + 1000  # three chunks, the last one short


@pytest.fixture
def stored(instances):  # noqa: F811
    app, _other = instances()
    content = png(SIZE)
    with app.app_context():  # through the engine: the test client spools an upload this big to a file
        owner = db.session.scalars(select(User).filter_by(username="manager_sh001")).one()
        attachment_id = store_attachment(db.session, owner, io.BytesIO(content), "货损.png", storage=DATABASE,
                                         upload_dir=app.config["UPLOAD_DIR"], max_bytes=SIZE,
                                         now=engine().clock(), rules=engine().supervision).id
        db.session.commit()
    return app, attachment_id, content


def get(app, attachment_id: int, headers: dict[str, str]):
    token = Api(app.test_client()).token("manager_sh001")
    response = app.test_client().get(f"/api/v1/attachments/{attachment_id}/content",
                                     headers={"Authorization": f"Bearer {token}", **headers})
    response.get_data()  # read (kept for the test) and closed
    response.close()
    return response


class ChunkReads:
    """The statements that read chunk bytes during a request: whole chunks, or parts of them."""

    def __init__(self, app) -> None:
        with app.app_context():
            self.bind = db.engine
        self.whole = self.parts = 0

    def __enter__(self):
        event.listen(self.bind, "before_cursor_execute", self.seen)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.bind, "before_cursor_execute", self.seen)

    def seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if "attachment_chunk" in statement:
            self.parts += "substr" in statement.lower()
            self.whole += statement.lower().startswith("select attachment_chunk.data")


@pytest.mark.parametrize(("asked", "start", "stop", "parts"), [
    ("bytes=0-99", 0, 100, 1),
    (f"bytes={CHUNK_BYTES - 10}-{CHUNK_BYTES + 9}", CHUNK_BYTES - 10, CHUNK_BYTES + 10, 2),  # over a border
    (f"bytes={2 * CHUNK_BYTES + 500}-", 2 * CHUNK_BYTES + 500, SIZE, 1),  # to the end
    ("bytes=-300", SIZE - 300, SIZE, 1),  # the last 300
    (f"bytes=100-{SIZE + 5000}", 100, SIZE, 3),  # an end past the file is the file's end
])
def test_one_range_is_a_206_of_those_bytes_read_from_their_chunks_only(stored, asked, start, stop, parts):
    app, attachment_id, content = stored
    with ChunkReads(app) as reads:
        response = get(app, attachment_id, {"Range": asked})
        body = response.get_data()
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{SIZE}"
    assert int(response.headers["Content-Length"]) == stop - start == len(body)
    assert body == content[start:stop]
    assert (reads.parts, reads.whole) == (parts, 0)
    assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("asked", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=abc",
                                   "bytes=500-100", "bytes=-0", "bytes=,"])
def test_a_range_that_cannot_be_served_is_a_416(stored, asked):
    app, attachment_id, _content = stored
    response = get(app, attachment_id, {"Range": asked})
    assert response.status_code == 416, asked
    assert response.headers["Content-Range"] == f"bytes */{SIZE}"
    assert response.get_json()["fields"] == {"Range": "invalid"}


def test_no_range_another_unit_or_a_stale_if_range_send_the_whole_file(stored):
    app, attachment_id, content = stored
    whole = get(app, attachment_id, {})
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    assert whole.get_data() == content
    etag = whole.headers["ETag"]
    pages = get(app, attachment_id, {"Range": "pages=1-2"})  # RFC 9110 §14.2: an unknown unit is ignored
    assert pages.status_code == 200 and pages.get_data() == content
    stale = get(app, attachment_id, {"Range": "bytes=0-9", "If-Range": '"another-version"'})
    assert stale.status_code == 200 and stale.get_data() == content
    fresh = get(app, attachment_id, {"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206 and fresh.get_data() == content[:10]


def test_the_browser_download_takes_a_range_too(stored):
    app, attachment_id, content = stored
    client = app.test_client()
    assert AuthActions(client).login("manager_sh001").status_code == 302
    response = client.get(f"/attachments/{attachment_id}", headers={"Range": "bytes=1000-1999"})
    response.get_data()
    response.close()
    assert response.status_code == 206 and response.get_data() == content[1000:2000]
    assert response.headers["Content-Range"] == f"bytes 1000-1999/{SIZE}"
    past = client.get(f"/attachments/{attachment_id}", headers={"Range": f"bytes={SIZE}-"})
    assert past.status_code == 416
