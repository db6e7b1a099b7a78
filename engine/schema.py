"""The complete schema, for `create_all` and the tests: every table and index is on `Base.metadata`
once `engine.models` is imported, since that module declares them all."""
from __future__ import annotations

from sqlalchemy.engine import Engine as SqlEngine

from .models import Base

metadata = Base.metadata


def create_all(sql_engine: SqlEngine) -> None:
    metadata.create_all(sql_engine)


def drop_all(sql_engine: SqlEngine) -> None:
    metadata.drop_all(sql_engine)
