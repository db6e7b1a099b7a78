"""Service tasks waiting for their connector (issue 14): one row per service task a case reached,
which the background runner calls outside any command's transaction, with retries and backoff."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

#: A call's life: waiting for the runner (maybe until `next_attempt_at`), done, or failed after its
#: last attempt (the case then stops on an incident an administrator retries).
CALL_PENDING, CALL_DONE, CALL_FAILED = "pending", "done", "failed"


class ConnectorCall(Base):
    __tablename__ = "connector_call"
    __table_args__ = (Index("ix_connector_call_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"),
                                             index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36), unique=True)
    element_id: Mapped[str] = mapped_column(String(128))
    connector: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=CALL_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
