"""The complete schema, for `create_all` and the tests: every table and index is on `Base.metadata`
once `engine.models` is imported, since that module declares them all."""
from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine as SqlEngine

from .models import Base

metadata = Base.metadata


def create_all(sql_engine: SqlEngine) -> None:
    metadata.create_all(sql_engine)


def drop_all(sql_engine: SqlEngine) -> None:
    metadata.drop_all(sql_engine)


def missing_tables(connection: Connection) -> list[str]:
    """The tables of the models the database does not have (empty: the schema is the code's).

    This is the "migrations at head" check of `/readyz`. Until the schema has migrations it can only
    ask whether every table exists (one catalogue query); with Alembic it becomes: the database's
    `alembic_version` is the head revision of the scripts."""
    present = set(inspect(connection).get_table_names())
    return sorted(name for name in metadata.tables if name not in present)
