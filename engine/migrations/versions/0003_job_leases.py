"""Issue 15: the leases background workers hold on due work (`job_lease`).

Added only where missing, like 0002: a development database that `create_all` made after the worker
branch already has the table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("job_lease"):
        return
    op.create_table(
        "job_lease",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "job_id", name=op.f("job_lease_pkey")),
    )


def downgrade() -> None:
    op.drop_table("job_lease")
