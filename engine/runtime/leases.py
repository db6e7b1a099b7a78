"""Taking background jobs under leases, so that several workers share the due work and a job whose
worker died is taken by another once its lease has expired.

A take is one short transaction: the due rows are selected (on PostgreSQL `FOR UPDATE SKIP LOCKED`,
so two workers taking at the same moment get different rows without waiting on each other), those
under a live lease left out, and a lease written for each (`job_lease`: holder, expires_at). The
insert is the arbiter: a lease another worker committed meanwhile is kept (its `ON CONFLICT ... WHERE
expires_at <= now` does not match), so a job is held by one worker at a time. The work itself runs
after the commit, each job in its own transaction, and the batch's leases are released at the end.

The lease spreads the work; it is not what makes a job run once. A job checks that it is still due
with the row held (the case's `next_timer_at`, its `lock_version`), so a job taken again after its
lease expired, though its first worker had done it after all, is a no-op.

SQLite has no SKIP LOCKED: there one writer at a time takes jobs, which is why SQLite installations
run the single scheduler embedded in `opsflow run`.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import Select, and_, delete, exists
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.models import JobLease


def unleased(kind: str, job_id: Any, now: datetime) -> Any:
    """A condition for a due query: job `job_id` (a column) of `kind` is under no live lease."""
    return ~exists().where(JobLease.kind == kind, JobLease.job_id == job_id, JobLease.expires_at > now)


def take(session: Session, kind: str, due: Select[Any], holder: str, now: datetime,
         lease: timedelta) -> list[int]:
    """Lease the jobs `due` selects (one id column, ordered and limited, `unleased` among its
    conditions) to `holder` until `now + lease`, and commit; the ids this worker got, in order.
    Expired leases (of a worker that died, on jobs done or not) are cleared first: on SQLite that
    also makes the take a writer from its first statement, so two takes queue rather than collide."""
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
        insert: Any = postgresql.insert
    else:
        insert = sqlite.insert
    session.execute(delete(JobLease).where(JobLease.kind == kind, JobLease.expires_at <= now))
    ids = list(session.scalars(due))
    got: set[int] = set()
    if ids:
        statement = insert(JobLease.__table__)
        statement = statement.on_conflict_do_update(
            index_elements=[JobLease.kind, JobLease.job_id],
            set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
            where=JobLease.expires_at <= now).returning(JobLease.job_id)
        rows = [{"kind": kind, "job_id": i, "holder": holder, "expires_at": now + lease} for i in ids]
        got = set(session.connection().execute(statement, rows).scalars())
    session.commit()
    return [i for i in ids if i in got]


def release(session: Session, kind: str, ids: Sequence[int], holder: str) -> int:
    """Give back `holder`'s leases on `ids` (those another worker took after they expired stay his);
    the caller commits. How many were released."""
    if not ids:
        return 0
    done = session.execute(delete(JobLease).where(and_(JobLease.kind == kind, JobLease.job_id.in_(ids),
                                                       JobLease.holder == holder)))
    return int(done.rowcount)  # type: ignore[attr-defined]


def held(session: Session, kind: str | None = None) -> list[tuple[str, int, str, datetime]]:
    """The leases now written (kind, job, holder, expiry), for tests and operators."""
    query = session.query(JobLease.kind, JobLease.job_id, JobLease.holder, JobLease.expires_at)
    if kind is not None:
        query = query.filter(JobLease.kind == kind)
    return [tuple(row) for row in query.order_by(JobLease.kind, JobLease.job_id)]  # type: ignore[misc]
