"""Database engines and sessions for the CLI, the scheduler and the tests (Flask has its own), and the
pool settings every engine shares, the web app's included."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.exc import InvalidatePoolError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool


def engine_options(url: str, *, recycle_seconds: int = -1) -> dict[str, Any]:
    """Options that make SQLite behave for a multi-threaded server and in-memory tests; for a server
    database, after how many seconds a pooled connection is replaced (-1: never) — the web app takes
    it from its configuration (config.py says why)."""
    if url.startswith("sqlite"):
        options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 15}}
        if url in ("sqlite://", "sqlite:///:memory:"):
            options["poolclass"] = StaticPool
        return options
    # a host that drops packets answers 503 after a few seconds, not after the OS's TCP timeout
    return {"pool_recycle": recycle_seconds, "connect_args": {"connect_timeout": 5}}


PING_IDLE_SECONDS = 0.5
_RETURNED_AT = "opsflow_returned_at"


def ping_when_idle(sql_engine: SqlEngine, idle_seconds: float = PING_IDLE_SECONDS,
                   clock: Callable[[], float] = time.monotonic) -> None:
    """Check a pooled connection with a round trip before it is used again, when it has sat in the
    pool longer than `idle_seconds` (0: at every checkout, as SQLAlchemy's `pool_pre_ping`).

    Connections die while they sit in the pool (a server restart, `pg_terminate_backend`, an idle
    limit); the ping finds a dead one and SQLAlchemy replaces it, with every older one, before a
    request fails on it. A connection that came back a moment ago was alive then: under load every
    connection comes back within milliseconds, and pinging each one cost a round trip per request,
    about a fifth of the signed-in user's cost. HikariCP skips the check the same way (its 500 ms
    `aliveBypassWindowMs`). SQLite has no server to lose: nothing to ping.
    """
    if sql_engine.dialect.name == "sqlite":
        return
    dialect = sql_engine.dialect

    @event.listens_for(sql_engine, "checkin")
    def _stamp(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            record.info[_RETURNED_AT] = clock()

    @event.listens_for(sql_engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get(_RETURNED_AT)  # none on a connection just made: nothing to check
        if returned_at is None or clock() - returned_at < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise InvalidatePoolError(f"pooled connection found dead: {error}") from error
            raise


def configure_sqlite(sql_engine: SqlEngine) -> None:
    """WAL and foreign keys on every SQLite connection; other backends are left alone."""
    if sql_engine.dialect.name != "sqlite":
        return

    @event.listens_for(sql_engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def make_sql_engine(url: str, **kwargs: Any) -> SqlEngine:
    sql_engine = create_engine(url, **{**engine_options(url), **kwargs})
    configure_sqlite(sql_engine)
    ping_when_idle(sql_engine)
    return sql_engine


def make_sessions(sql_engine: SqlEngine) -> sessionmaker[Session]:
    return sessionmaker(bind=sql_engine, expire_on_commit=False)


def is_lock_conflict(exc: OperationalError) -> bool:
    """Was the statement refused because another transaction holds the rows?

    Asks the driver's error, not `str(exc)`, which also carries the SQL and its parameters (the
    case state, a reason someone typed) and so may say "locked" about anything.
    """
    orig = exc.orig
    name = getattr(orig, "sqlite_errorname", None)
    if name is not None:
        return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
    # PostgreSQL: serialization failure, deadlock, lock timeout
    return getattr(orig, "sqlstate", None) in ("40001", "40P01", "55P03")


# A case's `state` is its whole workflow (about 9 KB of JSON, 2.5 KB stored) and every command rewrites
# it; lz4 compresses it about four times faster than PostgreSQL's default pglz (10,000 rows of case
# states: 1.24 s against 0.31 s to write, 0.34 s against 0.19 s to read) for 6% more bytes.
STATE_COMPRESSION = "ALTER TABLE process_instance ALTER COLUMN state SET COMPRESSION lz4"


def has_lz4(connection: Any) -> bool:
    """Whether this PostgreSQL server was built with lz4 (Debian's is; a server without it refuses
    `SET COMPRESSION lz4`)."""
    return bool(connection.exec_driver_sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'").scalar())
