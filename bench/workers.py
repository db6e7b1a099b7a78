"""Background workers on PostgreSQL: 10,000 due timers drained by one and by two `opsflow worker`
processes, and a run where one of two is killed with SIGKILL midway. Prints timers/s, and checks that
every case's timer fired once (duplicates: a case ended twice; lost: a case still waiting).

    .venv/bin/python bench/workers.py [--timers 10000] [--batch 200]
    .venv/bin/python bench/run.py --workers        the same, as a section of `make bench`

Each run gets a schema of its own. The cases are seeded as copies of one started case of a small model
(`timer_model/`: a one-hour timer, then the end), started two hours ago on the system clock the
workers read, so all are due at once. The rate is counted from the first case's end to the last's
(`ended_at`, stamped by the workers), so the processes' start-up is left out.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, literal, select  # noqa: E402

from bench import fixtures, report  # noqa: E402
from engine import Engine, FrozenClock  # noqa: E402
from engine.bpmn import deploy_directory  # noqa: E402
from engine.models import AuditEvent, JobLease, ProcessInstance  # noqa: E402

TIMER_MODEL = Path(__file__).resolve().parent / "timer_model"
TIMERS = 10_000
DEADLINE = 900.0


@dataclass(frozen=True)
class Run:
    label: str
    workers: int
    timers: int
    seconds: float
    fired: int
    duplicates: int
    lost: int
    leases_left: int
    killed: bool = False

    @property
    def rate(self) -> float:
        return self.fired / self.seconds if self.seconds else 0.0


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def seed(db: fixtures.Database, count: int) -> None:
    """`count` running cases of `timer_wait`, due an hour ago: one started, the rest its copies."""
    clock = FrozenClock(datetime.now(timezone.utc) - timedelta(hours=2))
    engine = Engine(clock=clock)
    with db.sessions() as session:
        deploy_directory(session, TIMER_MODEL, now=clock(), deployed_by="bench")
        user = fixtures.make_user(session, "bench", [], clock())
        first = engine.start(session, "timer_wait", user, {}).id
        session.commit()
        columns = [c for c in ProcessInstance.__table__.columns if c.key not in ("id", "business_key")]
        copies = (select(*columns).where(ProcessInstance.id == first)
                  .join(func.generate_series(2, count).table_valued("n"), literal(True)))
        session.execute(insert(ProcessInstance.__table__).from_select([c.key for c in columns], copies))
        session.commit()


def _worker(url: str, name: str, batch: int, lease: float) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "OPSFLOW_TIMER_BATCH": str(batch),
           "OPSFLOW_WORKER_LEASE_SECONDS": str(lease), "OPSFLOW_WORKER_POLL_SECONDS": "0.5",
           "PYTHONPATH": str(fixtures.REPO_ROOT)}
    return subprocess.Popen([sys.executable, "-c", "from webapp.cli import main; main()", "--config", "test",
                             "worker", "--name", name], cwd=fixtures.REPO_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _ended(db: fixtures.Database) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ProcessInstance)
                                  .where(ProcessInstance.status == "completed")) or 0)


def _wait(db: fixtures.Database, count: int, deadline: float) -> None:
    while _ended(db) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workers did not fire {count} timers within {DEADLINE:.0f} s")
        time.sleep(0.2)  # polling the database


def drain(url: str, label: str, workers: int, count: int, batch: int, kill_at: float | None = None) -> Run:
    """Seed `count` due timers, start `workers` processes, wait for all to fire (killing the first with
    SIGKILL once `kill_at` of them have, when given), stop the rest with SIGTERM, and count."""
    suffix = f"_w{workers}{'k' if kill_at else ''}"
    lease = 5.0 if kill_at else 300.0
    with fixtures.postgres_database(url, suffix) as db:
        seed(db, count)
        schema_url = fixtures.schema_url(url, suffix)
        processes = [_worker(schema_url, f"bench-{n}", batch, lease) for n in range(workers)]
        try:
            deadline = time.monotonic() + DEADLINE
            if kill_at is not None:
                _wait(db, int(count * kill_at), deadline)
                processes[0].send_signal(signal.SIGKILL)
                processes[0].wait(timeout=60)
            _wait(db, count, deadline)
        finally:
            for p in processes:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            codes = [p.wait(timeout=120) for p in processes]
        if any(code != 0 for code in codes[1 if kill_at else 0:]):
            raise RuntimeError(f"a worker did not stop cleanly: exit codes {codes}")
        with db.sessions() as session:
            first, last = session.execute(select(func.min(ProcessInstance.ended_at),
                                                 func.max(ProcessInstance.ended_at))).one()
            ends = (select(AuditEvent.instance_id, func.count().label("n"))
                    .where(AuditEvent.event_type == "completed").group_by(AuditEvent.instance_id).subquery())
            duplicates = session.scalar(select(func.count()).select_from(ends).where(ends.c.n > 1)) or 0
            ended = session.scalar(select(func.count()).select_from(ends)) or 0
            waiting = session.scalar(select(func.count()).select_from(ProcessInstance)
                                     .where(ProcessInstance.status != "completed")) or 0
            leases = session.scalar(select(func.count()).select_from(JobLease)) or 0
    seconds = (last - first).total_seconds() if first and last else 0.0
    return Run(label, workers, count, seconds, int(ended), int(duplicates), int(waiting) + count - int(ended),
               int(leases), killed=kill_at is not None)


def measure(url: str, count: int = TIMERS, batch: int = 200) -> list[Run]:
    runs = []
    for label, workers, kill_at in (("1 worker", 1, None), ("2 workers", 2, None),
                                    ("2 workers, one killed (kill -9) at 30%", 2, 0.3)):
        _progress(f"workers: {count:,} due timers, {label}")
        runs.append(drain(url, label, workers, count, batch, kill_at))
    return runs


def table(runs: list[Run], note: str = "") -> report.Table:
    rows = [(r.label, f"{r.fired:,}", f"{r.seconds:.1f}", f"{r.rate:,.0f}", r.duplicates, r.lost,
             r.leases_left) for r in runs]
    by_workers = {r.workers: r.rate for r in runs if not r.killed}
    speedup = by_workers.get(2, 0.0) / by_workers[1] if by_workers.get(1) else 0.0
    notes = [f"PostgreSQL; timers of one batch leased at once (FOR UPDATE SKIP LOCKED), each case fired in "
             f"its own transaction; 2 workers / 1 worker = {speedup:.2f}x on this machine. {note}".strip(),
             "The killed worker's leased cases wait for its 5 s lease, then the other worker fires them."]
    once = all(r.duplicates == 0 and r.lost == 0 for r in runs)
    targets = [report.Target("Two workers and 10,000 due timers: every timer fires once; kill -9 of one: "
                             "nothing twice, nothing lost", once if runs else None,
                             ", ".join(f"{r.label}: {r.duplicates} twice, {r.lost} lost" for r in runs))]
    return report.Table("Background workers: due timers drained by worker processes",
                        ("run", "fired", "seconds", "timers/s", "duplicates", "lost", "leases left"), rows,
                        notes, targets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timers", type=int, default=TIMERS, help="due timers per run")
    parser.add_argument("--batch", type=int, default=200, help="cases a worker takes at once (TIMER_BATCH)")
    args = parser.parse_args(argv)
    url = fixtures.postgres_url()
    if not url:
        print("PostgreSQL is needed: set OPSFLOW_TEST_POSTGRES_URL or write instance/pgtest.url")
        return 1
    print(table(measure(url, args.timers, args.batch)).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
