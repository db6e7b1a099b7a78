"""The write side, the only code that changes a case: the `Engine`'s commands, the steps they share,
bulk commands, timers and the other work the server does for a case on its own."""
from .approvals import (
    APPROVE,
    DECISIONS,
    MAX_APPROVERS,
    MAX_NOTE,
    POSITIONS,
    REJECT,
    add_approvers,
    decide,
    remove_approver,
)
from .audit import tag_request
from .bulk import (
    BULK_ACTIONS,
    CASE_ACTIONS,
    MAX_BULK,
    BulkResult,
    SeededCase,
    bulk_action,
    case_action,
    claim_many,
    reassign,
)
from .case_migration import (
    CONFLICT,
    FAILED,
    MIGRATED,
    NOT_ON_VERSION,
    NOT_RUNNING,
    CaseMove,
    MigrationReport,
    migrate_cases,
)
from .cc import cc_case
from .cc_rows import CC_PROPERTY, mark_cc_read
from .comments import MAX_COMMENT, add_comment, mentioned
from .connector_calls import CONNECTOR, run_connectors
from .digest import digest_time, send_digests
from .engine import Engine
from .handover import HandoverResult, hand_over
from .heartbeats import beat
from .housekeeping import purge_idempotency_records
from .http_connector import ConnectorSettings
from .inbox import mark_all_read, mark_read
from .incident_commands import resolve_incident, retry_incident
from .incidents import MAX_REASON, MESSAGE, RESOLVED, RETRIED, TERMINATED, TIMER, IncidentOpen
from .messages import Delivered, receive_message
from .notify import KINDS as NOTIFICATION_KINDS
from .reminders import CLAIMABLE_WINDOW, DUE_SOON, announce_claimable, remind_due, run_reminders
from .retries import MAX_FIX_BYTES, MAX_FIX_FIELDS, RetryResult
from .rollups import rebuild_rollups
from .row_import import import_rows
from .runner import BackgroundRunner, Job
from .schedule_commands import pause_schedule, resume_schedule
from .scheduled_starts import SYSTEM_ACTOR, run_schedules, start_scheduled
from .send_back import send_back
from .timers import TimerScheduler, fire_due_timers
from .transfer import MAX_TRANSFER_REASON, transfer
from .urge import URGE_INTERVAL, urge
from .withdraw import withdraw

__all__ = ["HandoverResult", "hand_over",
           "APPROVE", "BULK_ACTIONS", "BulkResult", "CASE_ACTIONS", "CC_PROPERTY", "DECISIONS", "Engine",
           "IncidentOpen", "MAX_APPROVERS", "MAX_BULK", "MAX_COMMENT", "MAX_FIX_BYTES", "MAX_FIX_FIELDS",
           "MAX_NOTE", "MAX_REASON", "MAX_TRANSFER_REASON", "MESSAGE", "POSITIONS", "REJECT", "RESOLVED",
           "RETRIED",
           "RetryResult", "SeededCase", "TERMINATED", "TIMER", "TimerScheduler", "URGE_INTERVAL",
           "add_approvers", "add_comment", "bulk_action", "case_action", "cc_case", "claim_many", "decide",
           "fire_due_timers", "mark_all_read", "mark_cc_read", "mark_read",
           "NOTIFICATION_KINDS", "reassign", "remove_approver", "resolve_incident",
           "retry_incident", "send_back", "transfer", "urge", "withdraw", "CLAIMABLE_WINDOW", "DUE_SOON",
           "announce_claimable", "digest_time", "mentioned", "remind_due", "run_reminders", "send_digests",
           "BackgroundRunner", "Job", "rebuild_rollups", "Delivered", "receive_message",
           "CONNECTOR", "ConnectorSettings", "run_connectors",
           "tag_request", "beat", "purge_idempotency_records",
           "SYSTEM_ACTOR", "pause_schedule", "resume_schedule", "run_schedules", "start_scheduled",
           "import_rows",
           "CONFLICT", "FAILED", "MIGRATED", "NOT_ON_VERSION", "NOT_RUNNING", "CaseMove", "MigrationReport",
           "migrate_cases"]
