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
from .cc import cc_case
from .cc_rows import CC_PROPERTY, mark_cc_read
from .comments import MAX_COMMENT, add_comment
from .engine import Engine
from .incidents import MAX_REASON, MESSAGE, RESOLVED, RETRIED, TERMINATED, TIMER, IncidentOpen
from .retries import MAX_FIX_BYTES, MAX_FIX_FIELDS, RetryResult
from .send_back import send_back
from .timers import TimerScheduler, fire_due_timers
from .transfer import MAX_TRANSFER_REASON, transfer
from .urge import URGE_INTERVAL, urge
from .withdraw import withdraw

__all__ = ["CC_PROPERTY", "URGE_INTERVAL", "cc_case", "mark_cc_read", "urge",
           "withdraw",
           "BULK_ACTIONS", "CASE_ACTIONS", "MAX_BULK", "MAX_COMMENT", "MAX_FIX_BYTES", "MAX_FIX_FIELDS",
           "MAX_REASON", "MAX_TRANSFER_REASON", "MESSAGE", "RESOLVED", "RETRIED", "TERMINATED", "TIMER",
           "BulkResult", "Engine", "IncidentOpen", "RetryResult", "SeededCase", "TimerScheduler",
           "add_comment", "bulk_action", "case_action", "claim_many", "fire_due_timers", "reassign",
           "send_back", "transfer",
           "APPROVE", "DECISIONS", "MAX_APPROVERS", "MAX_NOTE", "POSITIONS", "REJECT", "add_approvers",
           "decide", "remove_approver"]
