"""Issue 14/15: the request id of an audit event, the background runners' heartbeats, a franchise
store's owner.

A database made by `create_all` after the baseline (a development snapshot) may already have some of
these; they are added only where missing, so that such a database is stamped as the baseline and
still upgrades.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema = sa.inspect(op.get_bind())
    if not schema.has_table("runner_heartbeat"):
        op.create_table(
            "runner_heartbeat",
            sa.Column("name", sa.String(length=128), nullable=False),
            sa.Column("started_at", sa.DateTime(), nullable=False),
            sa.Column("beat_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("name", name=op.f("runner_heartbeat_pkey")),
        )
    for table, column in (("audit_event", "request_id"), ("store", "owner")):
        if column not in {c["name"] for c in schema.get_columns(table)}:
            op.add_column(table, sa.Column(column, sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("store") as store:
        store.drop_column("owner")
    with op.batch_alter_table("audit_event") as audit_event:
        audit_event.drop_column("request_id")
    op.drop_table("runner_heartbeat")
