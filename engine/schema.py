"""The complete schema: `create_all` for throwaway databases (the tests, the benchmarks), which makes
the models' tables and records them as the head revision; a real installation takes
`engine.migrations.upgrade` instead. Every table and index is on `Base.metadata` once `engine.models`
is imported, since that module declares them all."""
from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine as SqlEngine

from . import migrations
from .models import Base

metadata = Base.metadata


def create_all(sql_engine: SqlEngine) -> None:
    """The models' tables, and the head revision when the database was empty. On an older schema
    without a version table it only adds missing tables, records nothing, and leaves the rest to
    `migrations.upgrade` (`create_all` is not a migration)."""
    empty = not inspect(sql_engine).get_table_names()
    metadata.create_all(sql_engine)
    if empty:
        with sql_engine.begin() as connection:
            migrations.stamp_head(connection)


def drop_all(sql_engine: SqlEngine) -> None:
    metadata.drop_all(sql_engine)
    migrations.VERSION_TABLE.drop(sql_engine, checkfirst=True)


def schema_state(connection: Connection) -> str:
    """The "migrations at head" check of `/readyz`: `ok`, `behind` or `unknown` (one query)."""
    return migrations.state(connection)
