"""One row per background runner (the thread inside `opsflow run`, or an `opsflow worker` process),
stamped by the runner itself every few seconds, so that any app process can tell whether timers,
scheduled starts and the outbox are being looked after (`/readyz`, `/metrics`)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class RunnerHeartbeat(Base):
    __tablename__ = "runner_heartbeat"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)  # host:pid, or the worker's --name
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime]
