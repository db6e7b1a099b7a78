"""The complete schema: importing this module registers every table on `Base.metadata`.

Model classes live beside the idea they serve (`engine/models.py` for the core); each module that
defines tables is imported here, so `create_all` never misses one.
"""
from __future__ import annotations

from sqlalchemy.engine import Engine as SqlEngine

from engine.queries import (
    dashboard,  # noqa: F401  (the dashboard's indexes)
    saved_filters,  # noqa: F401
)

from . import (
    attachments,  # noqa: F401
    models,  # noqa: F401
)
from .models import Base

metadata = Base.metadata


def create_all(sql_engine: SqlEngine) -> None:
    metadata.create_all(sql_engine)


def drop_all(sql_engine: SqlEngine) -> None:
    metadata.drop_all(sql_engine)
