"""Issue 15 (ops): the group robots' shared rate windows (`robot_send`), and an index on
`idempotency_record.created_at` for the worker's purge of old Idempotency-Key answers.

Added only where missing, like 0002–0004.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    present = sa.inspect(op.get_bind())
    if not present.has_table("robot_send"):
        op.create_table(
            "robot_send",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("robot", sa.String(length=64), nullable=False),
            sa.Column("sent_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f("robot_send_pkey")),
        )
        op.create_index("ix_robot_send_robot_sent_at", "robot_send", ["robot", "sent_at"], unique=False)
    indexes = {ix["name"] for ix in present.get_indexes("idempotency_record")}
    if "ix_idempotency_record_created_at" not in indexes:
        op.create_index("ix_idempotency_record_created_at", "idempotency_record", ["created_at"],
                        unique=False)


def downgrade() -> None:
    op.drop_index("ix_idempotency_record_created_at", table_name="idempotency_record")
    op.drop_index("ix_robot_send_robot_sent_at", table_name="robot_send")
    op.drop_table("robot_send")
