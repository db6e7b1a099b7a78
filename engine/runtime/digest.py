"""The daily to-do digest (issue 12): once a day, at a set local time in each person's own time
zone, one message with their open tasks (assigned to them, and pool tasks they may claim) and how
many are overdue. Kind `digest`: an inbox entry and an e-mail, as the person's preferences say."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.delivery import zone_of
from engine.errors import InvalidData
from engine.models import HumanTask, ReminderSent, User

from .claims import DueTask, claim, claimers, load_tasks, open_tasks
from .engine import Engine
from .notify import tell

#: The tasks listed in one digest message; the counts cover all of them.
MAX_ITEMS = 50


def digest_time(text: str) -> time:
    """"HH:MM" as a time of day (the setting OPSFLOW_DIGEST_TIME); InvalidData when it is not one."""
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise InvalidData("the digest time must be HH:MM", {"digest_time": text}) from None


def send_digests(engine: Engine, sessions: Callable[[], Session], now: datetime | None = None, *,
                 at: str = "09:00") -> int:
    """Send today's digest to every active person whose local time has passed `at` and who has not
    had it today (a person with nothing open is marked done for the day and told nothing). How many
    digests were written."""
    now = now or engine.clock()
    when = digest_time(at)
    with sessions() as session:
        keys: dict[int, str] = {}
        for user_id, zone in session.execute(select(User.id, User.timezone).where(User.active.is_(True))):
            local = now.astimezone(zone_of(zone))
            if local.time().replace(tzinfo=None) >= when:
                keys[user_id] = f"digest:{user_id}:{local.date().isoformat()}"
        if keys:
            done = set(session.scalars(select(ReminderSent.key)
                                       .where(ReminderSent.key.in_(sorted(keys.values())))))
            keys = {u: k for u, k in keys.items() if k not in done}
        if not keys:
            return 0
        got = claim(session, keys.values(), now)
        people = sorted(u for u, k in keys.items() if k in got)
        rows = [_digest(person, tasks, now) for person, tasks in sorted(_todo(session, people, now).items())]
        tell(session, rows)
        session.commit()
    return len(rows)


def _todo(session: Session, people: list[int], now: datetime) -> dict[int, list[DueTask]]:
    """Each of `people`'s open tasks: assigned to them, or in a pool they may claim from."""
    found: dict[int, list[DueTask]] = defaultdict(list)
    if not people:
        return found
    wanted = set(people)
    for task in load_tasks(session, open_tasks().where(HumanTask.assignee_id.in_(people))
                           .order_by(HumanTask.due_at, HumanTask.id)):
        found[task.assignee_id or 0].append(task)
    pool = load_tasks(session, open_tasks().where(HumanTask.kind == "step", HumanTask.assignee_id.is_(None),
                                                  HumanTask.lane_role.is_not(None))
                      .order_by(HumanTask.due_at, HumanTask.id))
    for task_id, holders in claimers(session, pool, now).items():
        task = next(t for t in pool if t.id == task_id)
        for person in wanted.intersection(holders):
            found[person].append(task)
    return found


def _digest(person: int, tasks: list[DueTask], now: datetime) -> dict[str, Any]:
    overdue = sum(1 for t in tasks if t.due_at is not None and t.due_at <= now)
    return {"recipient_id": person, "kind": "digest", "instance_id": None, "task_id": None, "actor_id": None,
            "title": "", "business_key": None, "step": None, "message": f"{len(tasks)}/{overdue}",
            "created_at": now, "read_at": None,
            "extra": {"open": len(tasks), "overdue": overdue,
                      "items": [t.facts(now) for t in tasks[:MAX_ITEMS]]}}
