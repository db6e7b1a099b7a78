"""Leases on background work (issue 15): which worker holds which job, until when. A worker writes
its leases in the short transaction that takes a batch of due jobs; the others leave a job alone
while its lease runs, and take it once the lease has expired (its worker died)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

#: The kind of job a lease is on: a case's due timers (`job_id` is the case's id).
TIMER_JOB = "timer"


class JobLease(Base):
    __tablename__ = "job_lease"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    job_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holder: Mapped[str] = mapped_column(String(128))  # the worker's name (host:pid, or its --name)
    expires_at: Mapped[datetime]
