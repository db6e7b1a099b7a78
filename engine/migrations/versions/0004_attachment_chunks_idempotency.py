"""Issue 15: attachments' bytes in the database (`attachment_chunk`) and the API's Idempotency-Key
answers (`idempotency_record`), so that every app process serves every file and every retry.

Each table is added only where missing, like 0002 and 0003: a development database that `create_all`
made on the branch already has them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    present = sa.inspect(op.get_bind())
    if not present.has_table("idempotency_record"):
        op.create_table(
            "idempotency_record",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("owner", sa.String(length=64), nullable=False),
            sa.Column("key", sa.String(length=255), nullable=False),
            sa.Column("fingerprint", sa.String(length=64), nullable=False),
            sa.Column("status", sa.Integer(), nullable=True),
            sa.Column("body", sa.LargeBinary(), nullable=True),
            sa.Column("location", sa.String(length=1024), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("idempotency_record_pkey")),
            sa.UniqueConstraint("owner", "key", name=op.f("idempotency_record_owner_key_key")),
        )
    if not present.has_table("attachment_chunk"):
        op.create_table(
            "attachment_chunk",
            sa.Column("attachment_id", sa.Integer(), nullable=False),
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("data", sa.LargeBinary(), nullable=False),
            sa.ForeignKeyConstraint(["attachment_id"], ["attachment.id"],
                                    name=op.f("attachment_chunk_attachment_id_fkey"), ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("attachment_id", "seq", name=op.f("attachment_chunk_pkey")),
        )


def downgrade() -> None:
    op.drop_table("attachment_chunk")
    op.drop_table("idempotency_record")
