"""The pool's ping of idle connections (engine/db.py): a connection back from a request a moment ago is
trusted, one that sat in the pool longer than the threshold is checked and, when its server is gone,
replaced before anyone uses it. On the real PostgreSQL test server, with `pg_terminate_backend` as the
server losing the connection and an injected clock as the time it sat in the pool."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.exc import OperationalError

from engine.db import engine_options, ping_when_idle


class PoolClock:
    """Monotonic seconds that move only when a test moves them."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> PoolClock:
    return PoolClock()


@pytest.fixture
def pooled(engine_postgres_url: str, clock: PoolClock) -> Iterator[SqlEngine]:
    """One pooled connection, pinged after ten seconds in the pool."""
    sql_engine = create_engine(engine_postgres_url, **engine_options(engine_postgres_url),
                               pool_size=1, max_overflow=0)
    ping_when_idle(sql_engine, 10.0, clock)
    yield sql_engine
    sql_engine.dispose()


def backend_of(sql_engine: SqlEngine) -> int:
    """Use a pooled connection and give it back; the server process that served it."""
    with sql_engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def kill(sql_engine: SqlEngine, pid: int) -> None:
    """What a server restart does to a pooled connection, from a connection outside the pool; waits
    until the server process has gone."""
    other = create_engine(sql_engine.url)
    try:
        with other.connect() as connection:
            killed = connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
            assert killed.scalar_one()
    finally:
        other.dispose()


def test_a_connection_idle_past_the_threshold_is_found_dead_and_replaced_before_use(pooled, clock):
    pid = backend_of(pooled)
    kill(pooled, pid)
    clock.now += 10.5
    replacement = backend_of(pooled)
    assert replacement != pid
    assert backend_of(pooled) == replacement  # the new one is pooled and used again


def test_a_connection_back_a_moment_ago_is_used_without_a_round_trip(pooled, clock):
    """The saving and its price in one: no ping, so the dead connection fails its next statement;
    SQLAlchemy then drops it, and the statement after that reconnects."""
    pid = backend_of(pooled)
    kill(pooled, pid)
    clock.now += 9.5
    with pytest.raises(OperationalError):
        backend_of(pooled)
    assert backend_of(pooled) != pid


def test_a_live_connection_passes_its_ping_and_stays(pooled, clock):
    pid = backend_of(pooled)
    clock.now += 3600
    assert backend_of(pooled) == pid


def test_a_threshold_of_zero_pings_at_every_checkout(engine_postgres_url, clock):
    sql_engine = create_engine(engine_postgres_url, **engine_options(engine_postgres_url),
                               pool_size=1, max_overflow=0)
    ping_when_idle(sql_engine, 0.0, clock)
    try:
        pid = backend_of(sql_engine)
        kill(sql_engine, pid)
        assert backend_of(sql_engine) != pid  # same instant, still pinged
    finally:
        sql_engine.dispose()


def test_sqlite_has_no_server_to_lose_and_gets_no_listener(tmp_path):
    sql_engine = create_engine(f"sqlite:///{tmp_path}/db.sqlite")
    ping_when_idle(sql_engine, 0.0)
    assert not sql_engine.pool.dispatch.checkout
    sql_engine.dispose()
