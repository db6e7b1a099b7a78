"""The group robots' rate windows (issue 15): one row per message posted (or about to be) to a robot
in the last minute, so that every worker process counts the same window and one limit holds for all."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class RobotSend(Base):
    __tablename__ = "robot_send"
    __table_args__ = (Index("ix_robot_send_robot_sent_at", "robot", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    robot: Mapped[str] = mapped_column(String(64))  # SHA-256 of the webhook URL (it holds the key)
    sent_at: Mapped[datetime]
