"""The background runner: the work nobody waits for (due timers, sending the outbox, reminders), each
job at its own interval, in a thread of the server (`opsflow run`) or as a process of its own
(`opsflow worker`).

Stopping is graceful: a job that is running finishes its piece of work in hand (the timer job
checks `stopping` between cases and gives back the rest of its batch, the connector job between
calls, the delivery job between batches, so a batch it took is sent and recorded), and no job
starts after the stop was asked for.
One job failing is logged and the others go on.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """`run()` does one round of work and returns what it did (logged when truthy); `at_once`: its
    first round is at the start, whatever the runner's (the heartbeat says at once that it runs)."""

    name: str
    run: Callable[[], Any]
    interval: float
    at_once: bool = False


class BackgroundRunner:
    """Runs `jobs` until stopped; each job first runs `interval` seconds after the start, unless
    `at_once`."""

    def __init__(self, jobs: Sequence[Job] = (), at_once: bool = False) -> None:
        self.jobs = list(jobs)
        self.at_once = at_once
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, job: Job) -> None:
        self.jobs.append(job)

    def stopping(self) -> bool:
        return self._stop.is_set()

    def request_stop(self) -> None:
        """Ask the loop to end after the job now running (safe from a signal handler)."""
        self._stop.set()

    def start(self) -> None:
        """Run in a daemon thread (inside the server process)."""
        self._thread = threading.Thread(target=self.run_forever, name="opsflow-background", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> dict[str, Any]:
        """Every job once, now (`opsflow worker --once`, tests)."""
        return {job.name: self._run(job) for job in self.jobs if not self._stop.is_set()}

    def run_forever(self) -> None:
        start = time.monotonic()
        next_at = {job.name: start if self.at_once or job.at_once else start + job.interval
                   for job in self.jobs}
        while not self._stop.is_set():
            now = time.monotonic()
            for job in self.jobs:
                if self._stop.is_set():
                    break
                if next_at[job.name] <= now:
                    self._run(job)
                    next_at[job.name] = time.monotonic() + job.interval
            if next_at:
                self._stop.wait(max(0.0, min(next_at.values()) - time.monotonic()))
            else:
                self._stop.wait(1.0)

    def _run(self, job: Job) -> Any:
        try:
            done = job.run()
        except Exception:  # keep the runner alive; the error is logged with its traceback
            log.exception("background job %s failed", job.name)
            return None
        if done:
            log.info("%s: %s", job.name, done)
        return done
