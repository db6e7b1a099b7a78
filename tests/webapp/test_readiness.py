"""`/readyz`: ready when the database answers, its schema is at the head revision and a background runner beat
recently; 503 naming what failed otherwise. The clock is the app's frozen one: a heartbeat goes stale
because the clock moves, never because the test waits."""
from __future__ import annotations

import socket

import pytest
from sqlalchemy import text

from engine.clock import FrozenClock
from webapp import create_app
from webapp.background import background_runner
from webapp.extensions import db


def beat_once(app) -> None:
    """One round of the background runner's heartbeat, as `opsflow run` or `opsflow worker` does."""
    background_runner(app, "test-runner").jobs[0].run()


def test_ready_when_the_database_schema_and_a_runner_are_there(any_app, app_clock):
    beat_once(any_app)
    app_clock.advance(seconds=30)
    response = any_app.test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ok", "checks": {
        "database": "ok", "schema": "ok", "runner": "ok", "runner_beat_seconds_ago": 30}}
    assert response.headers["Cache-Control"] == "no-store"


def test_a_heartbeat_that_stopped_makes_the_app_unready(any_app, app_clock):
    beat_once(any_app)
    app_clock.advance(seconds=any_app.config["READY_GRACE_SECONDS"] + 1)
    response = any_app.test_client().get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"] == "15"
    body = response.get_json()
    assert body["failing"] == ["runner"] and body["checks"]["runner"] == "stale"
    assert body["checks"]["database"] == "ok" and body["checks"]["schema"] == "ok"
    beat_once(any_app)  # the runner is back
    assert any_app.test_client().get("/readyz").status_code == 200


def test_no_runner_at_all_is_ready_only_during_the_grace_period(app, app_clock):
    client = app.test_client()
    first = client.get("/readyz")
    assert first.status_code == 200 and first.get_json()["checks"]["runner"] == "starting"
    app_clock.advance(seconds=app.config["READY_GRACE_SECONDS"])
    late = client.get("/readyz")
    assert late.status_code == 503 and late.get_json()["failing"] == ["runner"]
    assert late.get_json()["checks"]["runner"] == "none"


def test_a_runner_of_another_process_counts(app, app_clock):
    """A separate `opsflow worker` beats into the same table: the app process sees it."""
    with app.app_context():
        from engine.runtime import beat
        beat(db.session, "worker-1", app_clock(), app_clock())
        db.session.commit()
    app_clock.advance(seconds=app.config["READY_GRACE_SECONDS"] + 5)
    with app.app_context():
        beat(db.session, "worker-1", app_clock(), app_clock())
        db.session.commit()
    assert app.test_client().get("/readyz").status_code == 200


@pytest.mark.parametrize("revision, state", [("0001", "behind"), (None, "behind"), ("9999", "unknown")])
def test_a_schema_not_at_the_head_revision_is_not_ready(any_app, app_clock, revision, state):
    """Behind: an older revision, or no version table at all (`opsflow db upgrade` has not run);
    unknown: a revision these scripts do not have (newer code migrated the database)."""
    beat_once(any_app)
    with any_app.app_context():
        if revision is None:
            db.session.execute(text("DROP TABLE alembic_version"))
        else:
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
        db.session.commit()
    response = any_app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["schema"] and body["checks"]["schema"] == state
    assert body["checks"]["runner"] == "skipped"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_database_that_is_not_there_fails_first_and_names_nothing(backend, tmp_path):
    nowhere = (f"sqlite:///{tmp_path / 'no-such-folder' / 'app.sqlite'}" if backend == "sqlite" else
               f"postgresql+psycopg://opsflow@127.0.0.1:{closed_port()}/no-such-folder")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=nowhere, CLOCK=FrozenClock())
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"] == "15"
    assert response.get_json() == {"status": "unavailable", "failing": ["database"], "checks": {
        "database": "unavailable", "schema": "skipped", "runner": "skipped"}}
    assert "no-such-folder" not in response.get_data(as_text=True)
