"""How and when a person wants to be told (issue 12): a switch per event kind and channel where they
differ from the defaults, their quiet hours, and the reminders already sent, so a periodic scan
tells each thing once however many workers run it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

#: The channels a person chooses between (group robots are configured per group, not per person).
INBOX, MAIL = "inbox", "email"
PERSONAL_CHANNELS = (INBOX, MAIL)


class NotificationPreference(Base):
    """One switch a person turned away from its default: event `kind` by `channel`, on or off."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)


class QuietHours(Base):
    """A person's quiet hours, as local wall-clock times "HH:MM" in their own time zone; a person
    without a row has the default (22:00–08:00, on)."""

    __tablename__ = "quiet_hours"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    start: Mapped[str] = mapped_column(String(5), default="22:00")
    end: Mapped[str] = mapped_column(String(5), default="08:00")


class ReminderSent(Base):
    """A reminder told once: its key names what it was about ("due_soon:<task>", "overdue:<task>",
    "claimable:<task>", "digest:<user>:<local date>"). Inserting the key is how a scan claims it: a
    second scan, in another worker, finds it taken and tells nobody."""

    __tablename__ = "reminder_sent"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    sent_at: Mapped[datetime]
