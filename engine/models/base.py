"""The declarative base every table shares, and the UTC datetime column type.

The web layer shares `Base` with Flask-SQLAlchemy through `model_class`, so the engine, the CLI and
the tests use the same mapped classes without a Flask app. Lists and dashboards read the indexed
`human_task`, `process_instance` and `audit_event` tables; the serialized workflow in
`process_instance.state` is only ever read to run a command.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    MetaData,
    Table,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, registry


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite keeps no time zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


#: Constraint names are PostgreSQL's own defaults (`user_pkey`, `human_task_instance_id_fkey`,
#: `user_username_key`), so that a database `create_all` made before this convention existed has the
#: names the migrations use; on SQLite they make the names the same as on PostgreSQL. Indexes are all
#: named in the models.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "pk": "%(table_name)s_pkey",
    "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
}


class Base(DeclarativeBase):
    __table__: ClassVar[Table]  # every model here maps one table (DeclarativeBase says any FromClause)
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    registry = registry(type_annotation_map={datetime: UTCDateTime(), dict[str, Any]: JSON})
