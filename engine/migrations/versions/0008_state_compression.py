"""Issue 15 (speed): a case's `state` compressed with lz4 on PostgreSQL, where the server has it.

Every command rewrites the column (about 9 KB of JSON); lz4 writes it about four times faster than
the default pglz (see `engine.db.STATE_COMPRESSION`). Rows keep their present compression until they
are next written. Nothing on SQLite, nor on a PostgreSQL built without lz4.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""
from __future__ import annotations

from alembic import op

from engine.db import STATE_COMPRESSION, has_lz4

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and has_lz4(bind):
        op.execute(STATE_COMPRESSION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE process_instance ALTER COLUMN state SET COMPRESSION DEFAULT")
