"""Issue 16: the administrators' shared working set of a process (`model_draft_file`): files changed
in the editors since a version, published together as one new version or discarded. Added only where
missing, like 0002–0006.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("model_draft_file"):  # made by create_all already, like 0002-0006
        return
    op.create_table(
        "model_draft_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=64), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("model_draft_file_pkey")),
        sa.UniqueConstraint("process_key", "filename",
                            name=op.f("model_draft_file_process_key_filename_key")),
    )


def downgrade() -> None:
    op.drop_table("model_draft_file")
