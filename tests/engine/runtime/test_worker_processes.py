"""Real `opsflow worker` processes on PostgreSQL: one killed with SIGKILL mid-batch, another finishing
its work once the leases have expired; one stopped with SIGTERM finishing the case it was firing.

The workers run on the system clock, so the cases are started by an engine whose clock is two days
back: their 24-hour reminders are due now. A worker stalls at a chosen case (`stalling_worker.py`)
and says so; the test waits for that line, and for the database to show the work done, with
deadlines, never with sleeps."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from engine.clock import FrozenClock
from engine.models import AuditEvent, HumanTask, JobLease, ProcessInstance

ROOT = Path(__file__).resolve().parents[3]
STALLING = Path(__file__).with_name("stalling_worker.py")
DEADLINE = 90.0


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=2))


@pytest.fixture
def db_url(engine_postgres_url: str) -> str:
    return engine_postgres_url


class Worker:
    """An `opsflow worker` process (stalling at case `stall_at` when given), its output read in a thread."""

    def __init__(self, url: str, name: str, *, lease: float, batch: int, stall_at: int = 0,
                 mode: str = "forever") -> None:
        env = {**os.environ, "DATABASE_URL": url, "OPSFLOW_TIMER_BATCH": str(batch),
               "OPSFLOW_WORKER_LEASE_SECONDS": str(lease), "OPSFLOW_WORKER_POLL_SECONDS": "0.2",
               "PYTHONPATH": str(ROOT)}
        args = ["--config", "test", "worker", "--name", name]
        command = ([sys.executable, str(STALLING), str(stall_at), mode, *args] if stall_at
                   else [sys.executable, "-c", "from webapp.cli import main; main()", *args])
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line.strip())

    def wait_for_line(self, wanted: str) -> None:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            try:
                if self.lines.get(timeout=max(0.0, end - time.monotonic())) == wanted:
                    return
            except queue.Empty:
                break
        raise AssertionError(f"the worker never said {wanted!r}: {''.join(self.output)[-3000:]}")

    def end(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=DEADLINE)


@pytest.fixture
def workers():
    started: list[Worker] = []

    def start(*args: Any, **kwargs: Any) -> Worker:
        started.append(Worker(*args, **kwargs))
        return started[-1]
    yield start
    for w in started:
        if w.process.poll() is None:
            w.process.kill()
        w.process.wait(timeout=30)
        w.reader.join(timeout=30)
        assert w.process.stdout is not None
        w.process.stdout.close()


def start_cases(engine, session, people, count: int) -> list[int]:
    m1 = people["manager_sh001"]
    ids = [engine.start(session, "escalation", m1, {"store_code": "SH001", "amount": n}).id
           for n in range(count)]
    session.commit()
    return ids


def counts(sessions) -> dict[str, Any]:
    """Cases fired (a nudge task), most nudges and reminder steps of one case, leases written."""
    with sessions() as s:
        nudges = s.execute(select(HumanTask.instance_id, func.count()).where(HumanTask.element_id == "nudge")
                           .group_by(HumanTask.instance_id)).all()
        steps = s.execute(select(AuditEvent.instance_id, func.count()).where(
            AuditEvent.event_type == "step", AuditEvent.element_id == "remind_fix")
            .group_by(AuditEvent.instance_id)).all()
        due = s.scalar(select(func.count()).select_from(ProcessInstance)
                       .where(ProcessInstance.next_timer_at.is_not(None)))
        leases = s.scalar(select(func.count()).select_from(JobLease))
    return {"fired": len(nudges), "most_nudges": max((n for _, n in nudges), default=0),
            "steps": len(steps), "most_steps": max((n for _, n in steps), default=0), "due": due,
            "leases": leases}


def wait_until(check: Callable[[], bool], what: str) -> None:
    end = time.monotonic() + DEADLINE
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"not within {DEADLINE} s: {what}")
        time.sleep(0.1)  # polling the database, not waiting for something to happen by itself


def test_a_worker_killed_mid_batch_leaves_its_cases_to_another_after_the_lease(
        engine, db_url, sessions, session, people, deployed, workers):
    total, batch = 150, 40
    start_cases(engine, session, people, total)
    first = workers(db_url, "first", lease=3.0, batch=batch, stall_at=batch + 10)
    first.wait_for_line("stalled")  # 49 fired, the second batch's other 31 leased to it
    assert counts(sessions)["fired"] == batch + 9
    first.process.kill()  # SIGKILL: no cleanup of any kind
    assert first.process.wait(timeout=DEADLINE) == -signal.SIGKILL
    with sessions() as s:
        held = s.scalars(select(JobLease.holder)).all()
    assert held and set(held) == {"first"}

    second = workers(db_url, "second", lease=3.0, batch=batch)
    wait_until(lambda: counts(sessions)["fired"] == total, "the second worker fires every case")
    assert second.end() == 0
    assert counts(sessions) == {"fired": total, "most_nudges": 1, "steps": total, "most_steps": 1, "due": 0,
                                "leases": 0}


def test_sigterm_finishes_the_case_being_fired_then_exits_0(engine, db_url, sessions, session, people,
                                                            deployed, workers):
    total, batch, stall_at = 60, 25, 30
    start_cases(engine, session, people, total)
    worker = workers(db_url, "stopping", lease=300.0, batch=batch, stall_at=stall_at, mode="until-stop")
    worker.wait_for_line("stalled")
    assert counts(sessions)["fired"] == stall_at - 1
    assert worker.end(signal.SIGTERM) == 0
    assert "OpsFlow worker stopped" in "".join(worker.output)
    assert counts(sessions) == {"fired": stall_at, "most_nudges": 1, "steps": stall_at, "most_steps": 1,
                                "due": total - stall_at, "leases": 0}


def test_two_worker_processes_fire_every_timer_once(engine, db_url, sessions, session, people, deployed,
                                                    workers):
    total = 200
    start_cases(engine, session, people, total)
    pair = [workers(db_url, name, lease=300.0, batch=20) for name in ("one", "two")]
    wait_until(lambda: counts(sessions)["fired"] == total, "two workers fire every case")
    assert [w.end(signal.SIGINT) for w in pair] == [0, 0]
    assert counts(sessions) == {"fired": total, "most_nudges": 1, "steps": total, "most_steps": 1, "due": 0,
                                "leases": 0}
