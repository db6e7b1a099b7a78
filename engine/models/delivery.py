"""What leaves OpsFlow (issue 12): the outbox of messages to send by e-mail and to group robots, and
the robots themselves. A command writes its outbox rows in its own transaction, so a rolled-back
command sends nothing; a delivery worker sends them later, once."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

#: Channels a message may leave by.
EMAIL, WECOM, DINGTALK, FEISHU = "email", "wecom", "dingtalk", "feishu"
ROBOT_KINDS = (WECOM, DINGTALK, FEISHU)
#: An outbox row's life: waiting (possibly held until `available_at`), taken by a worker, done.
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


class Robot(Base):
    """A group chat's robot (企业微信 / 钉钉 / 飞书 webhook) and the events its group is told of.
    `scope` is `center` (the operations center), `region` or `store`, with `scope_value` the region
    or store code. The secret is kept for signing and never shown back."""

    __tablename__ = "robot"
    __table_args__ = (Index("ix_robot_scope", "scope", "scope_value", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # wecom, dingtalk, feishu
    scope: Mapped[str] = mapped_column(String(16), default="center")
    scope_value: Mapped[str | None] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(1024))
    secret: Mapped[str | None] = mapped_column(String(255))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """One message to send by one channel to one person (e-mail) or one robot. `payload` holds the
    facts the message is rendered from when it is sent (title, business key, step, due time, link
    target, reason; a list of items for a digest or a batch), so the text is in the recipient's
    language of the day it leaves."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "available_at", "id"),
                      Index("ix_outbox_recipient", "recipient_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))  # a notification kind, or digest / claimable
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    robot_id: Mapped[int | None] = mapped_column(ForeignKey("robot.id", ondelete="CASCADE"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    available_at: Mapped[datetime]  # not before: a retry's backoff or quiet hours
    locked_until: Mapped[datetime | None]
    locked_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
