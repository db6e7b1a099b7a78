"""Databases, models and users the benchmarks run on.

SQLite is a file in a temporary directory, configured by `engine.db.make_sql_engine` exactly as the
app's (WAL, synchronous=NORMAL, foreign keys). PostgreSQL is the test server `make test` starts
(`OPSFLOW_TEST_POSTGRES_URL` or `instance/pgtest.url`); the benchmark works in a schema of its own,
dropped afterwards, so it never touches the tables the test suite drops and re-creates.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import text
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.orm import Session, sessionmaker

from engine import schema
from engine.bpmn import ParsedProcess, collect_directory, deploy_directory, parse_process
from engine.db import make_sessions, make_sql_engine
from engine.directory import RoleSpec, insert_user_unchecked
from engine.models import User

MODELS = Path(__file__).resolve().parent / "models"
REPO_ROOT = Path(__file__).resolve().parent.parent
NO_PASSWORD = "!"  # a hash no password matches: skips scrypt when creating benchmark users


@dataclass
class Database:
    label: str
    sql_engine: SqlEngine
    sessions: sessionmaker[Session]
    server_version: str


@contextlib.contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory(prefix="opsflow-bench-") as tmp:
        sql_engine = make_sql_engine(f"sqlite:///{tmp}/bench.sqlite")
        try:
            schema.create_all(sql_engine)
            yield Database("SQLite", sql_engine, make_sessions(sql_engine), "")
        finally:
            sql_engine.dispose()


def postgres_url() -> str | None:
    url = os.environ.get("OPSFLOW_TEST_POSTGRES_URL", "").strip()
    url_file = REPO_ROOT / "instance" / "pgtest.url"
    if not url and url_file.is_file():
        url = url_file.read_text(encoding="utf-8").strip()
    return url or None


def schema_name(suffix: str = "") -> str:
    return f"opsflow_bench_{os.getpid()}{suffix}"


def schema_url(url: str, suffix: str = "") -> str:
    """`url` with its search path set to the schema `postgres_database(url, suffix)` makes, for code
    that opens its own connections (the app of the CSV export)."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema_name(suffix)}"


@contextlib.contextmanager
def postgres_database(url: str, suffix: str = "") -> Iterator[Database]:
    """A fresh schema `opsflow_bench_<pid><suffix>` on the test server, dropped on the way out."""
    name = schema_name(suffix)
    admin = make_sql_engine(url, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as conn:
            server_version = conn.execute(text("SHOW server_version")).scalar_one()
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        options = {"connect_timeout": 5, "options": f"-csearch_path={name}"}
        sql_engine = make_sql_engine(url, connect_args=options)
        try:
            schema.create_all(sql_engine)
            yield Database("PostgreSQL", sql_engine, make_sessions(sql_engine), str(server_version))
        finally:
            sql_engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        admin.dispose()


def parsed_models() -> dict[str, ParsedProcess]:
    """The benchmark models parsed straight from their files, for the runs without a database."""
    return {key: parse_process(key, files) for key, files in collect_directory(MODELS).items()}


def deploy_models(session: Session, now: datetime) -> None:
    deploy_directory(session, MODELS, now=now, deployed_by="bench")


def make_user(session: Session, username: str, roles: Iterable[RoleSpec], now: datetime) -> User:
    return insert_user_unchecked(session, username, None, password_hash=NO_PASSWORD, roles=list(roles),
                                 now=now)


def form_data(element_id: str) -> dict[str, object]:
    """What a person submits on one of the benchmark forms (`bench/models/step_N.json`)."""
    return {f"{element_id}_note": f"{element_id} done, nothing unusual", f"{element_id}_ok": True}
