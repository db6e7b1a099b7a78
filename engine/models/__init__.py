"""Every table of OpsFlow as a plain SQLAlchemy 2 declarative class, grouped in `people`, `processes`
and `cases` behind this one face."""
from .attachment_chunks import AttachmentChunk
from .away import AwayPeriod
from .base import Base, UTCDateTime
from .called_versions import CalledVersion
from .cases import (
    COMPLETED,
    ENDED,
    ERROR,
    INCIDENT_OPEN,
    INCIDENT_RESOLVED,
    NOT_ENDED,
    RUNNING,
    SEED_MARK,
    SUSPENDED,
    TERMINATED,
    WITHDRAWABLE,
    WITHDRAWN,
    Attachment,
    AuditEvent,
    CaseCc,
    Comment,
    HumanTask,
    Incident,
    ProcessInstance,
    SavedFilter,
)
from .connectors import CALL_DONE, CALL_FAILED, CALL_PENDING, ConnectorCall
from .delivery import (
    DINGTALK,
    EMAIL,
    FAILED,
    FEISHU,
    PENDING,
    ROBOT_KINDS,
    SENDING,
    SENT,
    WECOM,
    OutboxMessage,
    Robot,
)
from .heartbeats import RunnerHeartbeat
from .idempotency import IdempotencyRecord
from .leases import TIMER_JOB, JobLease
from .model_drafts import ModelDraftFile
from .notifications import Notification
from .people import ApiToken, LoginAttempt, RoleAssignment, Store, User, WebSession
from .preferences import (
    INBOX,
    MAIL,
    PERSONAL_CHANNELS,
    NotificationPreference,
    QuietHours,
    ReminderSent,
)
from .processes import ModelFile, ProcessDefinition, ProcessVersion
from .robot_sends import RobotSend
from .rollups import RollupCell
from .schedules import Schedule, ScheduleRun

__all__ = ["RobotSend", "CALL_DONE", "CALL_FAILED", "CALL_PENDING", "ConnectorCall",
           "ApiToken", "Attachment", "AttachmentChunk", "AwayPeriod", "IdempotencyRecord",
           "DINGTALK", "EMAIL", "FAILED", "FEISHU", "OutboxMessage", "PENDING",
           "ROBOT_KINDS", "Robot", "SENDING", "SENT", "WECOM", "AuditEvent", "Base", "COMPLETED",
           "CalledVersion", "CaseCc", "Comment", "ENDED", "NOT_ENDED",
           "ERROR", "HumanTask", "INCIDENT_OPEN", "INCIDENT_RESOLVED", "Incident", "LoginAttempt",
           "ModelFile", "Notification", "ProcessDefinition", "ProcessInstance", "ProcessVersion", "RUNNING",
           "RoleAssignment", "SEED_MARK", "SUSPENDED", "SavedFilter", "Store", "TERMINATED", "UTCDateTime",
           "User", "WITHDRAWABLE", "WITHDRAWN", "WebSession", "INBOX", "MAIL", "PERSONAL_CHANNELS",
           "NotificationPreference", "QuietHours", "ReminderSent", "RollupCell",
           "Schedule", "ScheduleRun", "RunnerHeartbeat", "JobLease", "TIMER_JOB", "ModelDraftFile"]
