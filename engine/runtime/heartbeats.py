"""A background runner's heartbeat: its row in `runner_heartbeat`, stamped at every beat, which is how
an app process that runs no timers itself knows that somebody does (`/readyz`, `/metrics`)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from engine.models import RunnerHeartbeat

#: A runner silent this long is forgotten (a worker that was stopped, a process that was restarted).
FORGET_AFTER = timedelta(days=1)


def beat(session: Session, name: str, started_at: datetime, now: datetime) -> None:
    """Stamp runner `name` alive at `now`; the caller commits. A restarted runner keeps its row."""
    row = session.get(RunnerHeartbeat, name)
    if row is None:
        session.add(RunnerHeartbeat(name=name, started_at=started_at, beat_at=now))
    else:
        row.started_at, row.beat_at = started_at, now
    session.execute(delete(RunnerHeartbeat).where(RunnerHeartbeat.beat_at < now - FORGET_AFTER))
