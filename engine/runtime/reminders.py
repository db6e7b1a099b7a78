"""The periodic scans that tell people what no command tells them (issue 12): tasks they may claim
(one message per person per minute, however many tasks), tasks due soon and overdue, and the daily
digest (`digest`). The background runner calls `run_reminders` every tick.

Each reminder is told once: its key is recorded (`claims.claim`) in the transaction that writes the
notifications, so a second worker scanning at the same time tells nobody again, and a scan that
fails tells nothing and leaves the reminder for the next one.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import String, cast, exists, literal
from sqlalchemy.orm import Session

from engine.delivery import tell_robots_overdue
from engine.models import HumanTask, ReminderSent

from .claims import DueTask, claim, claimers, load_tasks, open_tasks, told_of
from .digest import send_digests
from .engine import Engine
from .notify import tell

#: Tasks opened longer ago than this are not announced as claimable, nor tasks late by more than this
#: told they are overdue (a first scan on an old database, a runner that was down for days): the task
#: list and the daily digest show them, without a flood of messages at once.
CLAIMABLE_WINDOW = timedelta(days=1)
DUE_SOON = timedelta(hours=4)
BATCH = 500


def _not_told(kind: str) -> Any:
    key = literal(f"{kind}:") + cast(HumanTask.id, String)
    return ~exists().where(ReminderSent.key == key)


def announce_claimable(engine: Engine, sessions: Callable[[], Session], now: datetime | None = None) -> int:
    """Tell each person of the pool tasks they may claim that opened before this minute began, in
    one notification per person; how many notifications were written.

    Tasks opened in the current minute wait for the next one, so a burst of new tasks (a bulk
    start, a busy store) reaches each person once a minute at most."""
    now = now or engine.clock()
    minute = now.replace(second=0, microsecond=0)
    with sessions() as session:
        tasks = load_tasks(session, open_tasks().where(
            HumanTask.kind == "step", HumanTask.assignee_id.is_(None), HumanTask.lane_role.is_not(None),
            HumanTask.created_at >= now - CLAIMABLE_WINDOW, HumanTask.created_at < minute,
            _not_told("claimable")).order_by(HumanTask.id).limit(BATCH))
        got = claim(session, (f"claimable:{t.id}" for t in tasks), now)
        tasks = [t for t in tasks if f"claimable:{t.id}" in got]
        per_person: dict[int, list[DueTask]] = defaultdict(list)
        for task_id, people in claimers(session, tasks, now).items():
            task = next(t for t in tasks if t.id == task_id)
            for person in people:
                per_person[person].append(task)
        rows = []
        for person, theirs in sorted(per_person.items()):
            first = theirs[0]
            row = told_of("claimable", first, person, now, message=str(len(theirs)),
                          items=[t.facts(now) for t in theirs])
            if len(theirs) > 1:  # a batch links to the task list, not to one of its tasks
                row.update(task_id=None, instance_id=None)
            rows.append(row)
        tell(session, rows)
        session.commit()
    return len(rows)


def remind_due(engine: Engine, sessions: Callable[[], Session], now: datetime | None = None, *,
               due_soon: timedelta = DUE_SOON) -> int:
    """Tell the holder of each open task due within `due_soon` that it is due soon, and once it is
    past due that it is overdue (a pool task: everyone who may claim it); each task once per kind.
    A task first seen already overdue is told only that, and only within `CLAIMABLE_WINDOW` of its
    due time. How many notifications were written."""
    now = now or engine.clock()
    with sessions() as session:
        soon = load_tasks(session, open_tasks().where(
            HumanTask.due_at > now, HumanTask.due_at <= now + due_soon, _not_told("due_soon"))
            .order_by(HumanTask.due_at).limit(BATCH))
        late = load_tasks(session, open_tasks().where(
            HumanTask.due_at <= now, HumanTask.due_at > now - CLAIMABLE_WINDOW, _not_told("overdue"))
            .order_by(HumanTask.due_at).limit(BATCH))
        got = claim(session, [f"due_soon:{t.id}" for t in soon] + [f"overdue:{t.id}" for t in late], now)
        soon = [t for t in soon if f"due_soon:{t.id}" in got]
        late = [t for t in late if f"overdue:{t.id}" in got]
        pool = claimers(session, [t for t in soon + late if t.assignee_id is None], now)
        rows = [told_of(kind, t, person, now)
                for kind, tasks in (("due_soon", soon), ("overdue", late)) for t in tasks
                for person in ([t.assignee_id] if t.assignee_id is not None else pool.get(t.id, []))]
        tell(session, rows)
        tell_robots_overdue(session, [t.id for t in late], now)  # the stores' groups hear it too
        session.commit()
    return len(rows)


def run_reminders(engine: Engine, sessions: Callable[[], Session], now: datetime | None = None, *,
                  due_soon: timedelta = DUE_SOON, digest_at: str = "09:00") -> int:
    """Every periodic scan once, each in its own transaction: what the background runner calls on
    every tick (every 15 to 60 seconds). How many notifications were written."""
    now = now or engine.clock()
    return (announce_claimable(engine, sessions, now) + remind_due(engine, sessions, now, due_soon=due_soon)
            + send_digests(engine, sessions, now, at=digest_at))
