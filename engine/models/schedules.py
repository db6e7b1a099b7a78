"""Scheduled starts (issue 14): a timer start event of a process's latest version, kept as a row so
the background runner finds what is due with one indexed query, an administrator can pause it, and
each period of it is claimed once however many schedulers run."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Schedule(Base):
    """One timer start event (`element_id`) of a process, as its latest deployed version states it.

    `next_run` is the first period not yet fired (None once a date has fired or a cycle has run out);
    a start event that a later version no longer has stays, inactive, so its fired periods are kept."""

    __tablename__ = "schedule"
    __table_args__ = (UniqueConstraint("process_key", "element_id"),
                      Index("ix_schedule_due", "active", "paused", "next_run"))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(64))
    element_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[str] = mapped_column(String(8))  # cycle, date
    rule: Mapped[str] = mapped_column(String(255))  # the ISO text: R/<start>/<period>, or a date-time
    start_for: Mapped[dict[str, Any]]  # {"for": "one"|"stores", "status", "kind", "region", "plus_one"}
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    next_run: Mapped[datetime | None]
    last_period: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]
    last_cases: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ScheduleRun(Base):
    """A period of a schedule, claimed by inserting this row: the unique key is what makes a period
    fire once. `failed` counts the cases whose start failed (logged; the others started); `skipped`
    the older periods the scheduler was down for, passed over for this one (the first in `skipped_from`)."""

    __tablename__ = "schedule_run"
    __table_args__ = (UniqueConstraint("schedule_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id", ondelete="CASCADE"))
    period: Mapped[datetime]
    fired_at: Mapped[datetime]
    cases: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    skipped_from: Mapped[datetime | None]
