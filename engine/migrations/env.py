"""Alembic's entry point for the scripts in versions/: run on the connection `engine.migrations` hands
over (always online; there is no offline SQL mode), against the models' metadata for autogenerate."""
from __future__ import annotations

from typing import Any, Literal

from alembic import context

from engine.models import Base, UTCDateTime


def render_item(kind: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """UTC datetimes are plain DATETIME/TIMESTAMP columns: scripts name the SQL type, not the code's."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters a table by copying it
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
