"""The app survives its pooled PostgreSQL connections being killed server-side (issue 15): with the
ping on (see config.py) every request after `pg_terminate_backend` of all its idle connections
succeeds; with the ping turned off the first one fails, which is what the ping is for. A connection
back from a request within the idle threshold is not pinged (the round trip it saves under load);
tests/engine/test_db.py moves the pool's clock across that threshold. On the real PostgreSQL test
server; the settings come from the config classes and the environment.
"""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text

from config import load_config
from engine import schema
from engine.clock import FrozenClock
from engine.db import make_sql_engine
from webapp import create_app
from webapp.bootstrap import prepare
from webapp.extensions import db

from .conftest import Api


@pytest.fixture
def pg_app(webapp_postgres_url, tmp_path):
    """`pg_app(**config)`: an app on a fresh schema of the PostgreSQL test database, demo cast loaded."""
    made = []

    def make(**config: Any):
        fresh = make_sql_engine(webapp_postgres_url)
        schema.drop_all(fresh)
        fresh.dispose()
        app = create_app("test", SQLALCHEMY_DATABASE_URI=webapp_postgres_url, UPLOAD_DIR=str(tmp_path / "up"),
                         CLOCK=FrozenClock(), **config)
        prepare(app)
        made.append(app)
        return app
    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def fill_the_pool(app, connections: int = 3) -> None:
    """Check out several connections at once and give them back: the pool keeps them open."""
    with app.app_context():
        held = [db.engine.connect() for _ in range(connections)]
        for c in held:
            c.execute(text("SELECT 1"))
        for c in held:
            c.close()
        assert db.engine.pool.checkedin() >= connections


def kill_backends(postgres_url: str, database: str) -> int:
    """`pg_terminate_backend` of every connection to `database`, from a connection to another one."""
    admin = create_engine(make_url(postgres_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": database}).all())
    finally:
        admin.dispose()


def test_requests_succeed_after_every_pooled_connection_is_killed(pg_app, postgres_url, webapp_postgres_url):
    app = pg_app(DB_POOL_PING_IDLE_SECONDS=0)  # every connection idle long enough to be pinged
    api = Api(app.test_client())
    assert api.as_("cs_li").get("/tasks").status_code == 200
    fill_the_pool(app)
    assert kill_backends(postgres_url, make_url(webapp_postgres_url).database) >= 3
    answers = [api.as_("cs_li").get("/tasks").status_code for _ in range(5)]
    assert answers == [200] * 5
    page = app.test_client()
    assert page.get("/readyz").status_code in (200, 503)  # answers (no worker heartbeat here), no 500
    assert page.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_without_the_ping_the_first_request_fails(pg_app, postgres_url, webapp_postgres_url):
    """The control: what pre-ping saves a request from (SQLAlchemy then drops the pool, so the next
    request reconnects)."""
    app = pg_app(DB_POOL_PRE_PING=False)
    api = Api(app.test_client())
    assert api.as_("cs_li").get("/tasks").status_code == 200
    fill_the_pool(app)
    assert kill_backends(postgres_url, make_url(webapp_postgres_url).database) >= 3
    assert api.as_("cs_li").get("/tasks").status_code == 503
    assert api.as_("cs_li").get("/tasks").status_code == 200


def test_a_connection_back_within_the_idle_threshold_is_used_without_a_ping(pg_app, postgres_url,
                                                                          webapp_postgres_url):
    """The price of the saved round trip: a connection killed within the threshold of its last use
    fails the one request that takes it; SQLAlchemy then replaces the pool."""
    app = pg_app(DB_POOL_PING_IDLE_SECONDS=3600)
    api = Api(app.test_client())
    assert api.as_("cs_li").get("/tasks").status_code == 200
    fill_the_pool(app)
    assert kill_backends(postgres_url, make_url(webapp_postgres_url).database) >= 3
    assert api.as_("cs_li").get("/tasks").status_code == 503
    assert [api.as_("cs_li").get("/tasks").status_code for _ in range(3)] == [200] * 3


def test_the_pool_settings_come_from_the_config_and_the_environment(pg_app):
    production = load_config("production", environ={"SECRET_KEY": "s"})
    assert (production["DB_POOL_PRE_PING"], production["DB_POOL_PING_IDLE_SECONDS"],
            production["DB_POOL_RECYCLE_SECONDS"]) == (True, 0.5, 1800)
    changed = load_config("production", environ={"SECRET_KEY": "s", "OPSFLOW_DB_PRE_PING": "0",
                                                  "OPSFLOW_DB_POOL_PING_IDLE_SECONDS": "2.5",
                                                  "OPSFLOW_DB_POOL_RECYCLE_SECONDS": "600"})
    assert (changed["DB_POOL_PRE_PING"], changed["DB_POOL_PING_IDLE_SECONDS"],
            changed["DB_POOL_RECYCLE_SECONDS"]) == (False, 2.5, 600)
    app = pg_app(DB_POOL_RECYCLE_SECONDS=600)
    with app.app_context():
        assert db.engine.pool._recycle == 600
        assert not db.engine.pool._pre_ping and db.engine.pool.dispatch.checkout  # ours, by idle time
