"""Failing safely when the database is not there: 503 with Retry-After (the API's JSON error, a Chinese
page on the web) instead of a storm of 500s, `/healthz` saying so, and everything back once the
database is. Real databases only: a SQLite file that cannot be opened or is locked by another
connection, a PostgreSQL port where nothing listens, and the PostgreSQL test server reached through a
relay that the test cuts and restores, as a stopped and restarted server looks to the app.
"""
from __future__ import annotations

import socket
import sqlite3
import threading
from typing import Any

import pytest
from sqlalchemy import event, make_url

from engine.clock import FrozenClock
from webapp import create_app
from webapp.extensions import db


def unprepared_app(url: str) -> Any:
    """An app on `url` that has never reached its database (create_app itself does not connect)."""
    return create_app("test", SQLALCHEMY_DATABASE_URI=url, CLOCK=FrozenClock(), WTF_CSRF_ENABLED=True)


def assert_unavailable(response: Any, api: bool) -> None:
    assert response.status_code == 503, response.get_data()[:300]
    assert response.headers["Retry-After"] == "15"
    if api:
        body = response.get_json()
        assert body["error"] == "service_unavailable" and body["message"], body
    else:
        html = response.get_data(as_text=True)
        assert 'lang="zh-CN"' in html and "服务暂时无法使用" in html
        assert "数据库暂时无法使用，本次操作未做任何更改" in html


def assert_everything_unavailable(app: Any, csrf_token: Any) -> None:
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.headers["Retry-After"] == "15"
    assert health.get_json() == {"status": "unavailable", "database": "unavailable"}
    assert_unavailable(client.post("/api/v1/login", json={"username": "cs_li", "password": "demo123"}),
                       api=True)
    assert_unavailable(client.get("/api/v1/tasks", headers={"Authorization": "Bearer abc"}), api=True)
    form = {"username": "cs_li", "password": "demo123", "csrf_token": csrf_token(client, "/login")}
    assert_unavailable(client.post("/login", data=form), api=False)


def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_sqlite_file_that_cannot_be_opened_is_503(tmp_path, csrf_token):
    assert_everything_unavailable(unprepared_app(f"sqlite:///{tmp_path / 'no-such-folder' / 'app.sqlite'}"),
                                  csrf_token)


def test_a_postgres_port_where_nothing_listens_is_503(csrf_token):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert_everything_unavailable(unprepared_app(f"postgresql+psycopg://postgres@127.0.0.1:{port}/opsflow"),
                                  csrf_token)


def test_a_sqlite_database_locked_past_the_busy_timeout_is_503_until_released(app, tmp_path):
    with app.app_context():
        @event.listens_for(db.engine, "connect")
        def _short_wait(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA busy_timeout=50")  # the configured 15 s, shortened for the test
        db.engine.dispose()
    client = app.test_client()
    login = {"username": "cs_li", "password": "demo123"}
    holder = sqlite3.connect(tmp_path / "app.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing and not letting go
    try:
        assert_unavailable(client.post("/api/v1/login", json=login), api=True)  # a login writes its token
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert client.post("/api/v1/login", json=login).status_code == 200


class Relay:
    """A TCP relay in front of the PostgreSQL test server; `cut()` drops every connection through it
    and stops listening (a stopped server), `restore()` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.port = 0

    def restore(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        for sock in [s for s in (self.listener, *self.sockets) if s is not None]:
            # shutdown, not close alone: it also wakes the thread blocked in accept()
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.listener = None
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
                server = socket.create_connection(self.target)
            except OSError:
                return
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass


def test_postgres_going_away_and_coming_back(postgres_app, webapp_postgres_url, csrf_token):
    url = make_url(webapp_postgres_url)
    relay = Relay((url.host, url.port))
    relay.restore()
    app = unprepared_app(url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False))
    client = app.test_client()
    client.post("/login", data={"username": "cs_li", "password": "demo123", "csrf_token": csrf_token(client)})
    token = client.post("/api/v1/login",
                        json={"username": "cs_li", "password": "demo123"}).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/tasks").status_code == 200
    assert client.get("/api/v1/tasks", headers=bearer).status_code == 200
    try:
        relay.cut()
        for _ in range(3):  # the pooled connections are dead, and new ones are refused
            assert client.get("/healthz").status_code == 503
            assert_unavailable(client.get("/api/v1/tasks", headers=bearer), api=True)
            assert_unavailable(client.get("/tasks"), api=False)  # logged in: the page asks nobody who
        relay.restore()
        assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
        assert client.get("/api/v1/tasks", headers=bearer).status_code == 200
        assert "我的待办" in client.get("/tasks").get_data(as_text=True)
    finally:
        relay.cut()
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("sql", ["SELEC 1", "SELECT * FROM no_such_table"])
def test_a_mistake_in_sql_stays_a_500(app, sql):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from webapp.health import database_unavailable
    with app.app_context():
        with pytest.raises(OperationalError) as raised:
            db.session.execute(text(sql))
        assert not database_unavailable(raised.value)
