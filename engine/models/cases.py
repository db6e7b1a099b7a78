"""Cases and what happens in them: the case, its human tasks, audit events, comments, cc's,
incidents, attachments, and the case list's saved filters."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import STATE_COMPRESSION, has_lz4
from .base import Base
from .people import User
from .processes import ProcessVersion

RUNNING, COMPLETED, TERMINATED, SUSPENDED, ERROR = "running", "completed", "terminated", "suspended", "error"
#: The starter took the case back (撤回): ended like a terminated case, but by its own requester.
WITHDRAWN = "withdrawn"
#: The statuses of a case that has ended for good.
ENDED = (COMPLETED, TERMINATED, WITHDRAWN)
#: A case in these can still hold open steps.
NOT_ENDED = (RUNNING, SUSPENDED, ERROR)
#: The statuses in which the starter may still withdraw a case.
WITHDRAWABLE = (RUNNING, SUSPENDED)
#: `serializer_version` of seeded history (demo and benchmark data): rows without a workflow behind them.
SEED_MARK = "seed"


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_instance_status_process", "status", "process_key"),
                      Index("ix_instance_started_by", "started_by_id", "started_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    process_key: Mapped[str] = mapped_column(String(64))
    business_key: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16), default="running")
    outcome: Mapped[str | None] = mapped_column(String(32))
    store_code: Mapped[str | None] = mapped_column(String(16), index=True)
    region: Mapped[str | None] = mapped_column(String(16))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    next_timer_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(16), default="")
    state: Mapped[str] = mapped_column(Text, deferred=True)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)

    version: Mapped[ProcessVersion] = relationship(lazy="joined")
    started_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}


def _lz4(ddl: Any, target: Any, bind: Any, tables: Any = None, state: Any = None, **kw: Any) -> bool:
    return bind is not None and has_lz4(bind)


event.listen(ProcessInstance.__table__, "after_create",
             DDL(STATE_COMPRESSION).execute_if(dialect="postgresql", callable_=_lz4))


class HumanTask(Base):
    """A user task the workflow is waiting on, kept in step with the workflow after every command."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_task_assignee_open", "assignee_id", "state", "due_at"),
        Index("ix_task_claimable", "state", "lane_role", "store_code", "due_at"),
        Index("ix_task_instance_state", "instance_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    spiff_task_id: Mapped[str] = mapped_column(String(36), unique=True)
    process_key: Mapped[str] = mapped_column(String(64))
    element_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255), default="")
    lane_role: Mapped[str | None] = mapped_column(String(32))
    store_code: Mapped[str | None] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(16))
    form_file: Mapped[str | None] = mapped_column(String(255))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open, completed, cancelled
    priority: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    draft: Mapped[dict[str, Any] | None]
    # Why the task is open again, shown on top of its page: the reason it was sent back here.
    notice: Mapped[str | None] = mapped_column(Text)
    # 加签: "step" rows stand for the workflow's user tasks; "approval" rows are the approvals a
    # holder asked for (`parent_id` their task, `position` before or after the holder decides), and
    # have no task in the workflow. A holder's row says what it waits on (`waiting_on`: "before"
    # while approvals before it are open, "approval" once submitted with approvals after it open,
    # the data kept in `draft`) and whom it will ask after it (`after_approvers`, usernames).
    kind: Mapped[str] = mapped_column(String(16), default="step", server_default="step")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), index=True)
    position: Mapped[str | None] = mapped_column(String(8))
    waiting_on: Mapped[str | None] = mapped_column(String(16))
    after_approvers: Mapped[list[str] | None] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    # 代理: the person the assignee holds the task for while that person is away (their deputy).
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    instance: Mapped[ProcessInstance] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])


class AuditEvent(Base):
    """Every state change: who, when, what, and the data it changed."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_event_instance", "instance_id", "id"),
                      Index("ix_event_type_at", "event_type", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id", ondelete="SET NULL"))
    event_type: Mapped[str] = mapped_column(String(32))
    element_id: Mapped[str | None] = mapped_column(String(128))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime]
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any] | None]
    request_id: Mapped[str | None] = mapped_column(String(64))  # the web request that caused it, if any

    actor: Mapped[User | None] = relationship()


class Comment(Base):
    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"),
                                             index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id", ondelete="SET NULL"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    author: Mapped[User] = relationship()


class CaseCc(Base):
    """A person cc'd on a case (抄送): they may read that case, nothing more, and see it in their cc
    list until they open it (`read_at`). By a person (`by_id`) or by a model step (`element_id`)."""

    __tablename__ = "case_cc"
    __table_args__ = (UniqueConstraint("instance_id", "user_id"),
                      Index("ix_case_cc_user", "user_id", "read_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    element_id: Mapped[str | None] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]

    instance: Mapped[ProcessInstance] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    by: Mapped[User | None] = relationship(foreign_keys=[by_id])


INCIDENT_OPEN, INCIDENT_RESOLVED = "open", "resolved"


class Incident(Base):
    """A step the scheduler ran for a case (a timer, a message) that failed: where, why, when, how
    often, and how it was settled. While one is open the case is stopped (status `error`) and the
    scheduler leaves it alone until an administrator retries or resolves it."""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_instance", "instance_id", "status"),
                      Index("ix_incident_status", "status", "occurred_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=INCIDENT_OPEN)
    job: Mapped[str] = mapped_column(String(16))  # timer, message: what a retry runs again
    job_data: Mapped[dict[str, Any] | None]  # a message's name and payload
    element_id: Mapped[str | None] = mapped_column(String(128))
    element_name: Mapped[str] = mapped_column(String(255), default="")
    error_type: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime]
    failed_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolution: Mapped[str | None] = mapped_column(String(16))  # retried, resolved, terminated
    reason: Mapped[str | None] = mapped_column(Text)

    resolved_by: Mapped[User | None] = relationship()


class Attachment(Base):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id", ondelete="SET NULL"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]

    uploaded_by: Mapped[User] = relationship()


class SavedFilter(Base):
    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


# The dashboard's period filters read these.
Index("ix_task_state_completed", HumanTask.state, HumanTask.completed_at)
Index("ix_instance_started_at", ProcessInstance.started_at)
Index("ix_instance_ended_at", ProcessInstance.ended_at)
