"""The delivery worker: takes due outbox rows under a lease, renders and sends them by their channel's
transport, and records what became of each.

Taking rows is a transaction of its own (on PostgreSQL `FOR UPDATE SKIP LOCKED`, as timers do), so
several workers never take one row twice; the lease (`locked_until`) gives a row back when its worker
died while sending it. Every take counts as an attempt, so a message that kills its worker also ends
as `failed`. An error sends the row back to `pending` with exponential backoff, and after the last
attempt leaves it `failed` with the error, for an administrator to resend.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from engine.models import EMAIL, FAILED, PENDING, SENDING, SENT, HumanTask, OutboxMessage, Robot, User

from .channels import Outcome, Rendered, Renderer, Transport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Policy:
    """How much one take holds, for how long, and how often a message is tried."""

    batch: int = 100
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 8
    backoff: timedelta = timedelta(seconds=30)  # after the first failure; doubled after each next one
    max_backoff: timedelta = timedelta(hours=1)

    def retry_after(self, attempts: int) -> timedelta:
        return min(self.backoff * 2 ** max(attempts - 1, 0), self.max_backoff)


@dataclass
class DeliveryRun:
    """What one `deliver_due` did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0  # not tried: a transport's `Outcome.later` (rate limits)
    batches: int = 0
    errors: list[str] = field(default_factory=list)


def claim(session: Session, now: datetime, token: str, channels: Sequence[str], policy: Policy) -> list[int]:
    """Take up to `policy.batch` due rows of `channels` for `token`, oldest first, and commit. A row
    does not overtake an older one to the same person or robot that waits for a retry, so each of them
    gets their messages in order (a row held for quiet hours has no attempts and holds nothing)."""
    table = OutboxMessage
    due = or_(and_(table.status == PENDING, table.available_at <= now),
              and_(table.status == SENDING, table.locked_until <= now))
    held = aliased(OutboxMessage)  # an older message to the same person or robot, waiting for a retry
    overtakes = exists().where(held.channel == table.channel, held.id < table.id, held.status == PENDING,
                               held.attempts > 0, held.available_at > now,
                               or_(held.recipient_id == table.recipient_id, held.robot_id == table.robot_id))
    query = (select(table.id).where(due, table.channel.in_(channels), ~overtakes).order_by(table.id)
             .limit(policy.batch))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(update(table).where(table.id.in_(ids), due).values(
            status=SENDING, locked_until=now + policy.lease, locked_by=token, attempts=table.attempts + 1),
            execution_options={"synchronize_session": False})
        ids = list(session.scalars(select(table.id).where(table.id.in_(ids), table.locked_by == token)
                                   .order_by(table.id)))
    session.commit()
    return ids


def deliver_due(sessions: Callable[[], Session], transports: Mapping[str, Transport], renderer: Renderer,
                clock: Callable[[], datetime], *, worker: str = "worker", policy: Policy = Policy(),
                stop: Callable[[], bool] = lambda: False) -> DeliveryRun:
    """Send every due row of the channels in `transports`, batch after batch, until none is due or
    `stop()` says so (checked between batches: a batch taken is finished). A batch with an error to
    retry ends the run, so newer rows do not overtake the ones held back."""
    run = DeliveryRun()
    channels = sorted(transports)
    while channels and not stop():
        token = f"{worker[:50]}:{uuid.uuid4().hex[:12]}"
        with sessions() as session:
            ids = claim(session, clock(), token, channels, policy)
            if not ids:
                break
            rows = load_rows(session, ids)
        run.batches += 1
        retried = run.retried
        for (channel, _robot), group in groupby(rows, key=_target):
            outcomes = _send(list(group), transports[channel], renderer)
            _record(sessions, outcomes, token, clock(), policy, run)
        if len(ids) < policy.batch or run.retried > retried:  # a target in trouble: newer rows wait too
            break
    return run


def _target(row: dict[str, Any]) -> tuple[str, int | None]:
    """Mail goes out over one connection for the whole batch; a robot's messages go to it together."""
    return row["channel"], None if row["channel"] == EMAIL else row["robot_id"]


def load_rows(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The rows `ids` as the renderer takes them: the outbox columns, the recipient's address, name,
    locale and time zone or the robot's, the actor's name and the task's due time; grouped by target
    and in order within each."""
    found = session.execute(
        select(OutboxMessage, User.email, User.locale, User.timezone, User.username, User.display_name,
               User.active, Robot.url, Robot.kind, Robot.secret, Robot.name, Robot.active)
        .outerjoin(User, User.id == OutboxMessage.recipient_id)
        .outerjoin(Robot, Robot.id == OutboxMessage.robot_id)
        .where(OutboxMessage.id.in_(ids))).all()
    rows = []
    for m, email, locale, zone, username, display, active, url, kind, secret, robot_name, robot_on in found:
        row = {c.key: getattr(m, c.key) for c in OutboxMessage.__table__.columns}
        row.update(email=email if active else None, locale=locale, timezone=zone, recipient=username,
                   recipient_name=display or username, url=url if robot_on else None, robot_kind=kind,
                   secret=secret, robot_name=robot_name)
        rows.append(row)
    payloads = [r["payload"] or {} for r in rows]
    actors = {p["actor_id"] for p in payloads if p.get("actor_id")}
    tasks = {p["task_id"] for p in payloads if p.get("task_id")}
    names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(actors))).all()) \
        if actors else {}
    usernames = dict(session.execute(select(User.id, User.username).where(User.id.in_(actors))).all()) \
        if actors else {}
    due = dict(session.execute(select(HumanTask.id, HumanTask.due_at).where(HumanTask.id.in_(tasks))).all()) \
        if tasks else {}
    for row, p in zip(rows, payloads):
        actor = p.get("actor_id")
        row["actor_name"] = (names.get(actor) or usernames.get(actor)) if actor else None
        row["due_at"] = due.get(p.get("task_id") or 0)
    rows.sort(key=lambda r: (_target(r)[0], _target(r)[1] or 0, r["id"]))
    return rows


def _send(rows: list[dict[str, Any]], transport: Transport, renderer: Renderer) -> list[Outcome]:
    """Render and send one target's rows; a row that cannot go (no address, a robot removed) fails
    at once, and a renderer or transport that breaks is an error of every row it was given."""
    outcomes: list[Outcome] = []
    ready = []
    for row in rows:
        if row["channel"] == EMAIL and not row["email"]:
            outcomes.append(Outcome(row["id"], False, "the recipient has no e-mail address (or is inactive)",
                                    retry=False))
        elif row["channel"] != EMAIL and not row["url"]:
            outcomes.append(Outcome(row["id"], False, "the robot is gone or inactive", retry=False))
        else:
            ready.append(row)
    if not ready:
        return outcomes
    try:
        rendered: list[Rendered] = renderer(ready)
    except Exception as exc:  # a template error: every row of the group waits for the fix
        log.exception("rendering outbox rows %s failed", [r["id"] for r in ready])
        return outcomes + [Outcome(r["id"], False, f"rendering failed: {exc!r}") for r in ready]
    try:
        outcomes += transport.send(rendered)
    except Exception as exc:  # a transport should answer per message; this one broke
        log.exception("%s transport failed", ready[0]["channel"])
        outcomes += [Outcome(m.outbox_id, False, f"{type(exc).__name__}: {exc}") for m in rendered]
    answered = {o.outbox_id for o in outcomes}
    outcomes += [Outcome(r["id"], False, "the transport gave no answer for it") for r in ready
                 if r["id"] not in answered]
    return outcomes


def _record(sessions: Callable[[], Session], outcomes: Sequence[Outcome], token: str, now: datetime,
            policy: Policy, run: DeliveryRun) -> None:
    """Write each row's fate, only where the row is still this take's (its lease may have run out and
    another worker taken it)."""
    table = OutboxMessage
    mine = table.locked_by == token
    sent = [o.outbox_id for o in outcomes if o.ok]
    with sessions() as session:
        if sent:
            session.execute(update(table).where(table.id.in_(sent), mine).values(
                status=SENT, sent_at=now, locked_until=None, locked_by=None, last_error=None),
                execution_options={"synchronize_session": False})
            run.sent += len(sent)
        failures = [o for o in outcomes if not o.ok]
        attempts = dict(session.execute(select(table.id, table.attempts).where(
            table.id.in_([o.outbox_id for o in failures]), mine)).all()) if failures else {}
        for o in failures:
            if o.outbox_id not in attempts:
                continue
            error = (o.error or "unknown error")[:2000]
            tries = attempts[o.outbox_id]
            if o.later is not None or o.retry_at is not None:  # not tried (a rate limit): put back, due later
                due = o.retry_at if o.retry_at is not None else now + (o.later or timedelta())
                session.execute(update(table).where(table.id == o.outbox_id, mine).values(
                    status=PENDING, available_at=due, attempts=max(tries - 1, 0), locked_until=None,
                    locked_by=None), execution_options={"synchronize_session": False})
                run.deferred += 1
                continue
            run.errors.append(f"#{o.outbox_id}: {error}")
            if o.retry and tries < policy.max_attempts:
                values: dict[str, Any] = {"status": PENDING, "available_at": now + policy.retry_after(tries)}
                run.retried += 1
            else:
                values = {"status": FAILED}
                run.failed += 1
            session.execute(update(table).where(table.id == o.outbox_id, mine).values(
                locked_until=None, locked_by=None, last_error=error, **values),
                execution_options={"synchronize_session": False})
        session.commit()
