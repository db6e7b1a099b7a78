"""Each group robot's rate window: how many messages it took in the last minute, so that a send stays
within the robot's limit. `SharedWindow` keeps the window in the database (`robot_send`), so every
worker process on every host counts the same sends and one limit holds for all; `LocalWindow` keeps
it in this process (a transport with no database: the admin's test message, the benchmark).

A send first *takes* slots: in one short transaction, serialised per robot (a PostgreSQL advisory
lock on the robot; on SQLite the first statement is a write, which takes the database's write lock),
the sends of the last minute are counted and up to `limit - count` new rows written at `now`. The
slots a send did not use (it merged messages, or stopped at a failure) are given back; a slot used
stays for a minute whether the robot took the message or not, as the robot counts it too.
"""
from __future__ import annotations

import hashlib
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Protocol

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from engine.models import RobotSend

WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class Slots:
    """Slots taken for one robot: `ids` (one per message that may be posted now) and when the
    oldest send of the window ages out (when more will fit)."""
    ids: list[int]
    free_at: datetime


class RateWindow(Protocol):
    def take(self, robot: str, now: datetime, limit: int, wanted: int) -> Slots: ...

    def give_back(self, robot: str, ids: list[int]) -> None: ...


def robot_key(url: str) -> str:
    """The window's name for a robot: its webhook URL holds its secret key, so only a digest is kept."""
    return hashlib.sha256(url.encode()).hexdigest()


class LocalWindow:
    """The window in this process's memory (one transport, any of its threads)."""

    def __init__(self) -> None:
        self._sent: dict[str, deque[tuple[int, datetime]]] = {}
        self._lock = threading.Lock()
        self._next = 0

    def take(self, robot: str, now: datetime, limit: int, wanted: int) -> Slots:
        with self._lock:
            window = self._sent.setdefault(robot, deque())
            while window and window[0][1] <= now - WINDOW:
                window.popleft()
            ids = []
            for _ in range(max(0, min(wanted, limit - len(window)))):
                self._next += 1
                window.append((self._next, now))
                ids.append(self._next)
            return Slots(ids, (window[0][1] + WINDOW) if window else now)

    def give_back(self, robot: str, ids: list[int]) -> None:
        with self._lock:
            back = set(ids)
            self._sent[robot] = deque(s for s in self._sent.get(robot, ()) if s[0] not in back)


class SharedWindow:
    """The window in the database, shared by every process that sends to the robot."""

    def __init__(self, sessions: Callable[[], Session]) -> None:
        self.sessions = sessions

    def take(self, robot: str, now: datetime, limit: int, wanted: int) -> Slots:
        key = robot_key(robot)
        with self.sessions() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
            # the sends that aged out (on SQLite, this write also makes the transaction the writer)
            session.execute(delete(RobotSend).where(RobotSend.robot == key,
                                                    RobotSend.sent_at <= now - WINDOW))
            count, oldest = session.execute(select(func.count(), func.min(RobotSend.sent_at))
                                            .where(RobotSend.robot == key)).one()
            rows = [RobotSend(robot=key, sent_at=now) for _ in range(max(0, min(wanted, limit - count)))]
            session.add_all(rows)
            session.flush()
            ids = [row.id for row in rows]
            session.commit()
        first = oldest if oldest is not None else (now if rows else None)
        return Slots(ids, (first + WINDOW) if first is not None else now)

    def give_back(self, robot: str, ids: list[int]) -> None:
        if not ids:
            return
        with self.sessions() as session:
            session.execute(delete(RobotSend).where(RobotSend.id.in_(ids)))
            session.commit()
