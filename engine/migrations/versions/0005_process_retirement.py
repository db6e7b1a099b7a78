"""process retirement: `process_definition.retired_at`, `retired_by`

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 21:08:49.792126
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('process_definition', sa.Column('retired_at', sa.DateTime(), nullable=True))
    op.add_column('process_definition', sa.Column('retired_by', sa.String(length=64), nullable=True))


def downgrade() -> None:
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): copying the table, as a batch does, would
    # trip the foreign keys of the versions that point at it.
    op.drop_column('process_definition', 'retired_by')
    op.drop_column('process_definition', 'retired_at')
