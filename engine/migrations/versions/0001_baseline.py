"""The baseline: the schema of release 44b0b86, the last one made by `create_all` alone. A database
made then has these tables and no version table; `engine.migrations.upgrade` stamps it as this
revision.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""
from __future__ import annotations

from alembic import op

from engine.migrations import baseline_cases, baseline_directory

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

#: In the order they are created (a table after those it refers to).
TABLES = ('login_attempt', 'process_definition', 'reminder_sent', 'robot', 'rollup_cell', 'store', 'user',
        'api_token', 'away_period', 'notification_preference', 'process_version', 'quiet_hours',
        'role_assignment', 'saved_filter', 'web_session', 'called_version', 'model_file',
        'process_instance', 'schedule', 'case_cc', 'connector_call', 'human_task', 'incident',
        'outbox_message', 'schedule_run', 'attachment', 'audit_event', 'comment', 'notification')


def upgrade() -> None:
    baseline_directory.create()
    baseline_cases.create()


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
