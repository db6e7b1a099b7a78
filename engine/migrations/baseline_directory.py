"""The baseline's tables that hold no case: accounts and their sessions, stores, deployed models,
settings, the rollups. Written out once from the models of 44b0b86; never edited (a change is a new
revision)."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create() -> None:
    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('login_attempt_pkey'))
    )
    op.create_index('ix_login_attempt_account', 'login_attempt', ['username', 'address', 'at'], unique=False)
    op.create_index('ix_login_attempt_address', 'login_attempt', ['address', 'at'], unique=False)
    op.create_index('ix_login_attempt_at', 'login_attempt', ['at'], unique=False)
    op.create_table('process_definition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('latest_version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('process_definition_pkey')),
    sa.UniqueConstraint('key', name=op.f('process_definition_key_key'))
    )
    op.create_table('reminder_sent',
    sa.Column('key', sa.String(length=96), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('reminder_sent_pkey'))
    )
    op.create_table('robot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('scope_value', sa.String(length=32), nullable=True),
    sa.Column('url', sa.String(length=1024), nullable=False),
    sa.Column('secret', sa.String(length=255), nullable=True),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('robot_pkey'))
    )
    op.create_index('ix_robot_scope', 'robot', ['scope', 'scope_value', 'active'], unique=False)
    op.create_table('rollup_cell',
    sa.Column('measure', sa.String(length=8), nullable=False),
    sa.Column('span', sa.String(length=1), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('process_key', sa.String(length=64), nullable=False),
    sa.Column('element_id', sa.String(length=128), nullable=False),
    sa.Column('region', sa.String(length=16), nullable=False),
    sa.Column('store_code', sa.String(length=16), nullable=False),
    sa.Column('bucket', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('low', sa.Float(), nullable=True),
    sa.Column('high', sa.Float(), nullable=True),
    sa.Column('due', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('measure', 'span', 'start', 'process_key', 'element_id', 'region', 'store_code',
            'bucket', name='pk_rollup_cell'),
    sqlite_with_rowid=False
    )
    op.create_table('store',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('name_en', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('region', sa.String(length=16), nullable=False),
    sa.Column('city', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('store_pkey'))
    )
    op.create_index(op.f('ix_store_region'), 'store', ['region'], unique=False)
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('user_pkey')),
    sa.UniqueConstraint('username', name=op.f('user_username_key'))
    )
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('api_token_user_id_fkey'),
            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('api_token_pkey')),
    sa.UniqueConstraint('token_hash', name=op.f('api_token_token_hash_key'))
    )
    op.create_table('away_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['user.id'], name=op.f('away_period_deputy_id_fkey'),
            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['user.id'], name=op.f('away_period_set_by_id_fkey'),
            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('away_period_user_id_fkey'),
            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('away_period_pkey')),
    sa.UniqueConstraint('user_id', name=op.f('away_period_user_id_key'))
    )
    op.create_index('ix_away_deputy', 'away_period', ['deputy_id', 'ends_at'], unique=False)
    op.create_table('notification_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('notification_preference_user_id_fkey'),
            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', 'channel', name=op.f('notification_preference_pkey'))
    )
    op.create_table('process_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('deployed_at', sa.DateTime(), nullable=False),
    sa.Column('deployed_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'],
            name=op.f('process_version_definition_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('process_version_pkey')),
    sa.UniqueConstraint('definition_id', 'version', name=op.f('process_version_definition_id_version_key'))
    )
    op.create_table('quiet_hours',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('start', sa.String(length=5), nullable=False),
    sa.Column('end', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('quiet_hours_user_id_fkey'),
            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('quiet_hours_pkey'))
    )
    op.create_table('role_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('store_code', sa.String(length=16), nullable=True),
    sa.Column('region', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('role_assignment_user_id_fkey'),
            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('role_assignment_pkey')),
    sa.UniqueConstraint('user_id', 'role', 'store_code', 'region',
            name=op.f('role_assignment_user_id_role_store_code_region_key'))
    )
    op.create_index('ix_role_assignment_role_scope', 'role_assignment', ['role', 'store_code', 'region'],
            unique=False)
    op.create_table('saved_filter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('saved_filter_user_id_fkey'),
            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('saved_filter_pkey')),
    sa.UniqueConstraint('user_id', 'name', name=op.f('saved_filter_user_id_name_key'))
    )
    op.create_index(op.f('ix_saved_filter_user_id'), 'saved_filter', ['user_id'], unique=False)
    op.create_table('web_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('web_session_user_id_fkey'),
            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('web_session_pkey')),
    sa.UniqueConstraint('token_hash', name=op.f('web_session_token_hash_key'))
    )
    op.create_index(op.f('ix_web_session_expires_at'), 'web_session', ['expires_at'], unique=False)
    op.create_index(op.f('ix_web_session_user_id'), 'web_session', ['user_id'], unique=False)
    op.create_table('called_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('caller_version_id', sa.Integer(), nullable=False),
    sa.Column('callee_key', sa.String(length=64), nullable=False),
    sa.Column('callee_version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['callee_version_id'], ['process_version.id'],
            name=op.f('called_version_callee_version_id_fkey')),
    sa.ForeignKeyConstraint(['caller_version_id'], ['process_version.id'],
            name=op.f('called_version_caller_version_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('called_version_pkey')),
    sa.UniqueConstraint('caller_version_id', 'callee_key',
            name=op.f('called_version_caller_version_id_callee_key_key'))
    )
    op.create_index(op.f('ix_called_version_caller_version_id'), 'called_version', ['caller_version_id'],
            unique=False)
    op.create_table('model_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['process_version.id'], name=op.f('model_file_version_id_fkey'),
            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('model_file_pkey')),
    sa.UniqueConstraint('version_id', 'kind', 'filename',
            name=op.f('model_file_version_id_kind_filename_key'))
    )
