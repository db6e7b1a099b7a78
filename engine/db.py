"""Database engines and sessions for the CLI, the scheduler and the tests (Flask has its own)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool


def engine_options(url: str, *, pre_ping: bool = True, recycle_seconds: int = -1) -> dict[str, Any]:
    """Options that make SQLite behave for a multi-threaded server and in-memory tests; for a server
    database, whether each pooled connection is pinged as it is checked out and after how many
    seconds it is replaced (-1: never) — the web app takes both from its configuration (config.py
    says why)."""
    if url.startswith("sqlite"):
        options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 15}}
        if url in ("sqlite://", "sqlite:///:memory:"):
            options["poolclass"] = StaticPool
        return options
    # a host that drops packets answers 503 after a few seconds, not after the OS's TCP timeout
    return {"pool_pre_ping": pre_ping, "pool_recycle": recycle_seconds,
            "connect_args": {"connect_timeout": 5}}


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
