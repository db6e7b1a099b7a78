"""The baseline's tables of cases: instances, tasks, events, incidents, attachments, the outbox and
notifications, schedules' runs. Written out once from the models of 44b0b86; never edited (a change is
a new revision)."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create() -> None:
    op.create_table('process_instance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=64), nullable=False),
    sa.Column('business_key', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('store_code', sa.String(length=16), nullable=True),
    sa.Column('region', sa.String(length=16), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('next_timer_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('serializer_version', sa.String(length=16), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], name=op.f('process_instance_started_by_id_fkey')),
    sa.ForeignKeyConstraint(['version_id'], ['process_version.id'],
            name=op.f('process_instance_version_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('process_instance_pkey'))
    )
    op.create_index('ix_instance_ended_at', 'process_instance', ['ended_at'], unique=False)
    op.create_index('ix_instance_started_at', 'process_instance', ['started_at'], unique=False)
    op.create_index('ix_instance_started_by', 'process_instance', ['started_by_id', 'started_at'],
            unique=False)
    op.create_index('ix_instance_status_process', 'process_instance', ['status', 'process_key'], unique=False)
    op.create_index(op.f('ix_process_instance_business_key'), 'process_instance', ['business_key'],
            unique=False)
    op.create_index(op.f('ix_process_instance_next_timer_at'), 'process_instance', ['next_timer_at'],
            unique=False)
    op.create_index(op.f('ix_process_instance_store_code'), 'process_instance', ['store_code'], unique=False)
    op.create_table('schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=64), nullable=False),
    sa.Column('element_id', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('rule', sa.String(length=255), nullable=False),
    sa.Column('start_for', sa.JSON(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('next_run', sa.DateTime(), nullable=True),
    sa.Column('last_period', sa.DateTime(), nullable=True),
    sa.Column('last_run_at', sa.DateTime(), nullable=True),
    sa.Column('last_cases', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['process_version.id'], name=op.f('schedule_version_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('schedule_pkey')),
    sa.UniqueConstraint('process_key', 'element_id', name=op.f('schedule_process_key_element_id_key'))
    )
    op.create_index('ix_schedule_due', 'schedule', ['active', 'paused', 'next_run'], unique=False)
    op.create_table('case_cc',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('element_id', sa.String(length=128), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('case_cc_by_id_fkey')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('case_cc_instance_id_fkey'),
            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('case_cc_user_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('case_cc_pkey')),
    sa.UniqueConstraint('instance_id', 'user_id', name=op.f('case_cc_instance_id_user_id_key'))
    )
    op.create_index('ix_case_cc_user', 'case_cc', ['user_id', 'read_at'], unique=False)
    op.create_table('connector_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('spiff_task_id', sa.String(length=36), nullable=False),
    sa.Column('element_id', sa.String(length=128), nullable=False),
    sa.Column('connector', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
            name=op.f('connector_call_instance_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('connector_call_pkey')),
    sa.UniqueConstraint('spiff_task_id', name=op.f('connector_call_spiff_task_id_key'))
    )
    op.create_index('ix_connector_call_due', 'connector_call', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_connector_call_instance_id'), 'connector_call', ['instance_id'], unique=False)
    op.create_table('human_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('spiff_task_id', sa.String(length=36), nullable=False),
    sa.Column('process_key', sa.String(length=64), nullable=False),
    sa.Column('element_id', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('lane_role', sa.String(length=32), nullable=True),
    sa.Column('store_code', sa.String(length=16), nullable=True),
    sa.Column('region', sa.String(length=16), nullable=True),
    sa.Column('form_file', sa.String(length=255), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('draft', sa.JSON(), nullable=True),
    sa.Column('notice', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=16), server_default='step', nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.String(length=8), nullable=True),
    sa.Column('waiting_on', sa.String(length=16), nullable=True),
    sa.Column('after_approvers', sa.JSON(), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('human_task_assignee_id_fkey')),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user.id'], name=op.f('human_task_completed_by_id_fkey')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
            name=op.f('human_task_instance_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['user.id'], name=op.f('human_task_on_behalf_of_id_fkey')),
    sa.ForeignKeyConstraint(['parent_id'], ['human_task.id'], name=op.f('human_task_parent_id_fkey'),
            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('human_task_pkey')),
    sa.UniqueConstraint('spiff_task_id', name=op.f('human_task_spiff_task_id_key'))
    )
    op.create_index(op.f('ix_human_task_parent_id'), 'human_task', ['parent_id'], unique=False)
    op.create_index('ix_task_assignee_open', 'human_task', ['assignee_id', 'state', 'due_at'], unique=False)
    op.create_index('ix_task_claimable', 'human_task', ['state', 'lane_role', 'store_code', 'due_at'],
            unique=False)
    op.create_index('ix_task_instance_state', 'human_task', ['instance_id', 'state'], unique=False)
    op.create_index('ix_task_state_completed', 'human_task', ['state', 'completed_at'], unique=False)
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('job', sa.String(length=16), nullable=False),
    sa.Column('job_data', sa.JSON(), nullable=True),
    sa.Column('element_id', sa.String(length=128), nullable=True),
    sa.Column('element_name', sa.String(length=255), nullable=False),
    sa.Column('error_type', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('failed_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
            name=op.f('incident_instance_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('incident_resolved_by_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('incident_pkey'))
    )
    op.create_index('ix_incident_instance', 'incident', ['instance_id', 'status'], unique=False)
    op.create_index('ix_incident_status', 'incident', ['status', 'occurred_at'], unique=False)
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('robot_id', sa.Integer(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('available_at', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('locked_by', sa.String(length=64), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
            name=op.f('outbox_message_instance_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recipient_id'], ['user.id'], name=op.f('outbox_message_recipient_id_fkey'),
            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['robot_id'], ['robot.id'], name=op.f('outbox_message_robot_id_fkey'),
            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('outbox_message_pkey'))
    )
    op.create_index('ix_outbox_due', 'outbox_message', ['status', 'available_at', 'id'], unique=False)
    op.create_index('ix_outbox_recipient', 'outbox_message', ['recipient_id', 'id'], unique=False)
    op.create_table('schedule_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.DateTime(), nullable=False),
    sa.Column('fired_at', sa.DateTime(), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('skipped_from', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedule.id'], name=op.f('schedule_run_schedule_id_fkey'),
            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('schedule_run_pkey')),
    sa.UniqueConstraint('schedule_id', 'period', name=op.f('schedule_run_schedule_id_period_key'))
    )
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
            name=op.f('attachment_instance_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('attachment_task_id_fkey'),
            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('attachment_uploaded_by_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('attachment_pkey')),
    sa.UniqueConstraint('storage_key', name=op.f('attachment_storage_key_key'))
    )
    op.create_index(op.f('ix_attachment_instance_id'), 'attachment', ['instance_id'], unique=False)
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('element_id', sa.String(length=128), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('audit_event_actor_id_fkey')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
            name=op.f('audit_event_instance_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('audit_event_task_id_fkey'),
            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('audit_event_pkey'))
    )
    op.create_index('ix_event_instance', 'audit_event', ['instance_id', 'id'], unique=False)
    op.create_index('ix_event_type_at', 'audit_event', ['event_type', 'at'], unique=False)
    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('comment_author_id_fkey')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('comment_instance_id_fkey'),
            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('comment_task_id_fkey'),
            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('comment_pkey'))
    )
    op.create_index(op.f('ix_comment_instance_id'), 'comment', ['instance_id'], unique=False)
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('business_key', sa.String(length=64), nullable=True),
    sa.Column('step', sa.String(length=255), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('notification_actor_id_fkey'),
            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
            name=op.f('notification_instance_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['user.id'], name=op.f('notification_recipient_id_fkey'),
            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('notification_task_id_fkey'),
            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('notification_pkey'))
    )
    op.create_index('ix_notification_recipient', 'notification', ['recipient_id', 'read_at', 'id'],
            unique=False)
