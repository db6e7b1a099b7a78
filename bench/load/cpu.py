"""Where the CPU of a load run goes: the app's processes, PostgreSQL's and the load generator's.

All three share this machine's cores, so together they bound the rate: at N completions/s on C cores
there are C x 1000 / N ms of CPU for each completion, for everything. Read from /proc, sampled while
locust runs, so starting up and the sign-ins before the first completion are not counted; 0 where
there is no /proc (or the database runs on another machine).
"""
from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable

_TICKS = os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """User + system CPU seconds of this process's children that have ended and were waited for (locust)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from field 3 (state) on: the name before it may hold spaces."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def tree_cpu(pids: list[int], *, ended_children: bool = False) -> float:
    """CPU seconds each process and its live children have used so far; with `ended_children`, also
    the children that ended and were waited for (PostgreSQL's backends of connections closed meanwhile)."""
    ticks = 0
    for pid in pids:
        for member in (pid, *_children(pid)):
            fields = _stat(member)
            if fields is None:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
            if ended_children and member == pid:
                ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / _TICKS


def app_cpu(processes: list[subprocess.Popen[bytes]]) -> Callable[[], float]:
    """The app: each process started and its children (gunicorn's workers)."""
    return lambda: tree_cpu([p.pid for p in processes])


def postgres_cpu(url: str) -> Callable[[], float] | None:
    """The PostgreSQL server behind `url` when it runs on this machine: its main process (a backend's
    parent) and every backend; None when it is another machine's or not PostgreSQL."""
    if not url.startswith("postgresql"):
        return None
    from sqlalchemy import text

    from engine.db import make_sql_engine
    sql_engine = make_sql_engine(url)
    try:
        with sql_engine.connect() as connection:  # read while the backend lives: it ends with the connection
            fields = _stat(int(connection.scalar(text("SELECT pg_backend_pid()"))))
    finally:
        sql_engine.dispose()
    if fields is None:
        return None
    postmaster = int(fields[1])
    return lambda: tree_cpu([postmaster], ended_children=True)


class CpuSampler(threading.Thread):
    """CPU seconds of one reading every 0.2 s while locust runs, so that the CPU of the stretch the
    completions span (the rate's stretch) can be told apart from the sign-ins (scrypt) and warm-up."""

    def __init__(self, read: Callable[[], float]) -> None:
        super().__init__(daemon=True)
        self.read, self.stop = read, threading.Event()
        self.samples: list[tuple[float, float]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((time.time(), self.read()))
            self.stop.wait(0.2)

    def between(self, start: float, end: float) -> float:
        """CPU seconds used from `start` to `end` (wall-clock times), from the samples nearest outside."""
        if not self.samples or end <= start:
            return 0.0
        before = [cpu for at, cpu in self.samples if at <= start] or [self.samples[0][1]]
        after = [cpu for at, cpu in self.samples if at >= end] or [self.samples[-1][1]]
        return max(0.0, after[0] - before[-1])
