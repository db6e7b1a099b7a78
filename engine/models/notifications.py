"""What a person is told (issue 12): one row per person and event, written in the transaction of the
command that caused it, so a rolled-back command tells nobody. The in-app inbox reads the rows; the
channels that come later (e-mail, group robots) deliver from the same rows."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Notification(Base):
    """One thing one person is told. The case's title, business key and step are copied in as they
    were, so an entry reads the same after the case moves on (and its list needs no join)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_recipient", "recipient_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # assigned, transferred, sent_back, approver, urged, ...
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(255), default="")
    business_key: Mapped[str | None] = mapped_column(String(64))
    step: Mapped[str | None] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(Text, default="")  # the reason, note or outcome
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
