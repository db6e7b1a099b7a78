"""A safe request's read-only transaction ends in COMMIT, anything else in ROLLBACK (see
webapp/request_transactions.py): on PostgreSQL a rollback costs the connection its prepared statements."""
from __future__ import annotations

import pytest
from sqlalchemy import event, text

from webapp.extensions import db

from .conftest import AuthActions, csrf_token


@pytest.fixture
def endings(any_app):
    with any_app.app_context():
        sql_engine = db.engine
    seen: list[str] = []
    listeners = {"commit": lambda conn: seen.append("commit"),
                 "rollback": lambda conn: seen.append("rollback")}
    for name, listener in listeners.items():
        event.listen(sql_engine, name, listener)
    yield seen
    for name, listener in listeners.items():
        event.remove(sql_engine, name, listener)


def test_a_page_ends_its_transaction_with_commit(any_app, endings):
    client = any_app.test_client()
    AuthActions(client).login("manager_sh001")
    endings.clear()
    assert client.get("/tasks").status_code == 200
    assert endings and set(endings) == {"commit"}
    endings.clear()
    assert client.get("/api/v1/tasks", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert "commit" not in endings  # an error page's transaction is rolled back, as before


def test_a_refused_write_still_rolls_back(any_app, endings):
    client = any_app.test_client()
    AuthActions(client).login("manager_sh001")
    token = csrf_token(client, "/tasks")
    endings.clear()
    answer = client.post("/api/v1/tasks/999999/complete", json={"data": {}},
                         headers={"Authorization": "Bearer nonsense"})
    assert answer.status_code == 401
    answer = client.post("/tasks/999999/claim", data={"csrf_token": token})
    assert answer.status_code in (403, 404)
    assert "commit" not in endings


def test_postgresql_keeps_the_prepared_statements_across_pages(postgres_app):
    client = postgres_app.test_client()
    AuthActions(client).login("manager_sh001")
    with postgres_app.app_context():
        db.engine.dispose()  # one pooled connection from here on, serving every request in turn
    for _ in range(8):  # psycopg prepares a statement on its fifth run
        assert client.get("/tasks").status_code == 200
    with postgres_app.app_context():
        prepared = db.session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
        db.session.commit()
    assert prepared > 0
