"""What an operator watches, read at the moment they ask (`/readyz`, `/metrics`): the background
runners' last beats, the oldest timer left waiting past its time and the messages the outbox still
holds. Each is one indexed query, cheap enough for a scrape every few seconds."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import PENDING, RUNNING, SENDING, OutboxMessage, ProcessInstance, RunnerHeartbeat


@dataclass(frozen=True)
class Heartbeat:
    name: str
    started_at: datetime
    beat_at: datetime


def heartbeats(session: Session) -> list[Heartbeat]:
    """Every runner that beat within the last day, the most recent first."""
    rows = session.execute(select(RunnerHeartbeat.name, RunnerHeartbeat.started_at, RunnerHeartbeat.beat_at)
                           .order_by(RunnerHeartbeat.beat_at.desc()))
    return [Heartbeat(*row) for row in rows]


def timer_lag(session: Session, now: datetime) -> float:
    """Seconds the most overdue timer of a running case has waited past its due time (0: none is)."""
    oldest = session.scalar(select(func.min(ProcessInstance.next_timer_at))
                            .where(ProcessInstance.status == RUNNING, ProcessInstance.next_timer_at <= now))
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0


def outbox_depth(session: Session) -> dict[str, int]:
    """Messages not yet sent, by status (pending: waiting or backing off; sending: taken by a worker)."""
    counts: dict[str, int] = {status: n for status, n in session.execute(
        select(OutboxMessage.status, func.count()).where(OutboxMessage.status.in_((PENDING, SENDING)))
        .group_by(OutboxMessage.status))}
    return {PENDING: counts.get(PENDING, 0), SENDING: counts.get(SENDING, 0)}
