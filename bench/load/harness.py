"""One load run: a fresh database seeded with demo data and open cases, the app started in one serving
shape, locust playing the demo roles against it (bench/load/locustfile.py), then the app stopped and the
database checked (bench/load/consistency.py).

Shapes: `production` is `opsflow serve --workers 2 --threads 4` plus one `opsflow worker` (production
config);
`single` is `opsflow run` (one process, waitress, the embedded scheduler). The load generator runs on
the same cores as the app.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cpu

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
SECRET = "load-test-only-not-secret"
# threads per app process: a sync worker idles while PostgreSQL flushes a commit; with threads another
# request runs meanwhile (measured: ~45 completions/s with 1 thread, ~80/s with 4, same machine and load)
SERVE_THREADS = 4
COMPLAINT = {"customer_name": "王女士", "customer_phone": "13812345678", "store_code": "SH001",
             "channel": "store", "category": "service",
             "description": "店员接待态度冷淡，试衣等候超过20分钟无人理会。",
             "amount_claimed": 0, "order_no": "SO-20261101-0088"}


@dataclass(frozen=True)
class Plan:
    seconds: int = 30
    cases: int = 3_000          # complaints open when the load starts (each: two user tasks)
    managers: int = 3
    agents: int = 3
    supervisors: int = 1


@dataclass
class Outcome:
    shape: str
    seconds: float
    completions: int
    times: dict[str, list[float]]
    status: dict[str, dict[str, int]]
    problems: list[str] = field(default_factory=list)
    completed_ids: list[int] = field(default_factory=list)
    checked_cases: int = 0
    seed_seconds: float = 0.0
    locust_log: str = ""
    app_cpu: float = 0.0      # seconds of CPU the app's processes used (all of them, the run through)
    locust_cpu: float = 0.0   # and the load generator
    db_cpu: float | None = None  # and PostgreSQL's server, when it runs on this machine

    def cpu_ms(self, seconds: float | None) -> float | None:
        """CPU ms per completion of one part (`app_cpu`, `locust_cpu`, `db_cpu`), with the lists, pages
        and starts around the completions: unlike the rates, meaningful on a machine other work is
        loading too."""
        return 1000 * seconds / self.completions if seconds is not None and self.completions else None

    @property
    def per_second(self) -> float:
        return self.completions / self.seconds if self.seconds else 0.0

    def count(self, kind: str) -> int:
        return sum(by.get(kind, 0) for by in self.status.values())

    @property
    def errors(self) -> int:
        return sum(n for by in self.status.values() for k, n in by.items() if k not in ("2xx", "3xx"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(url: str, cases: int) -> float:
    """Demo users, stores and the shipped models, then `cases` complaints at SH001 started by cs_li."""
    from sqlalchemy import select

    from engine.models import User
    from webapp import create_app
    from webapp.bootstrap import prepare
    from webapp.extensions import db, engine
    started = time.perf_counter()
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, DEMO_CASES=False, SCHEDULER_ENABLED=False)
    prepare(app)
    with app.app_context():
        agent = db.session.scalar(select(User).where(User.username == "cs_li"))
        assert agent is not None, "the demo users were not loaded"
        for n in range(cases):
            engine().start(db.session, "complaint_handling", agent, COMPLAINT)
            if n % 200 == 199:
                db.session.commit()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return time.perf_counter() - started


def _env(url: str, scratch: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPSFLOW_", "PROMETHEUS_"))}
    env.update(DATABASE_URL=url, SECRET_KEY=SECRET, OPSFLOW_UPLOAD_DIR=f"{scratch}/uploads",
               PYTHONPATH=str(REPO))
    return env


def start_app(shape: str, url: str, port: int, scratch: str) -> list[subprocess.Popen[bytes]]:
    env = _env(url, scratch)
    opsflow = [str(BIN / "opsflow"), "--config", "production"]
    if shape == "production":
        env["PROMETHEUS_MULTIPROC_DIR"] = f"{scratch}/metrics"  # `serve` empties it; the worker counts too
        Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir()
        serve = ["serve", "--workers", "2", "--threads", str(SERVE_THREADS), "--port", str(port)]
        commands = [opsflow + serve, opsflow + ["worker"]]
    else:
        env["OPSFLOW_SCHEDULER"] = "1"
        commands = [opsflow + ["run", "--port", str(port)]]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for command in commands:
            with open(f"{scratch}/{shape}-app.log", "ab") as log:  # the child keeps its own copy
                processes.append(subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log,
                                                  start_new_session=True))
            if command is commands[0]:
                wait_ready(port, processes[0])
    except BaseException:
        stop_app(processes)
        raise
    return processes


def wait_ready(port: int, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the app did not answer /healthz within {seconds:.0f} s")


def stop_app(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each process group this harness started (gunicorn's master takes its workers along)."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_locust(port: int, plan: Plan, scratch: str, shape: str) -> tuple[dict[str, Any], str]:
    summary = f"{scratch}/{shape}-summary.json"
    users = plan.managers + plan.agents + plan.supervisors
    env = {**os.environ, "LOAD_SUMMARY": summary, "LOAD_MAX_COMPLETIONS": str(2 * plan.cases),
           "LOAD_MANAGERS": str(plan.managers), "LOAD_AGENTS": str(plan.agents),
           "LOAD_SUPERVISORS": str(plan.supervisors)}
    command = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "-u", str(users), "-r", str(users),
               "-t", f"{plan.seconds}s", "--host", f"http://127.0.0.1:{port}", "--only-summary",
               "--stop-timeout", "5", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=plan.seconds + 120)
    log = done.stdout + done.stderr
    if not Path(summary).is_file():
        raise RuntimeError(f"locust wrote no summary (exit {done.returncode}):\n{log[-3000:]}")
    return json.loads(Path(summary).read_text(encoding="utf-8")), log


def run_shape(shape: str, url: str, plan: Plan) -> Outcome:
    """Seed `url` (an empty database), serve it in `shape`, load it, stop it, check it."""
    from .consistency import check
    with tempfile.TemporaryDirectory(prefix=f"opsflow-load-{shape}-") as scratch:
        seed_seconds = seed(url, plan.cases)
        port = free_port()
        processes = start_app(shape, url, port, scratch)
        read_db = cpu.postgres_cpu(url)
        app_sampler = cpu.CpuSampler(cpu.app_cpu(processes))
        db_sampler = cpu.CpuSampler(read_db) if read_db else None
        samplers = [s for s in (app_sampler, db_sampler) if s is not None]
        try:
            locust_before = cpu.children_cpu()
            for sampler in samplers:
                sampler.start()
            summary, log = run_locust(port, plan, scratch, shape)
            locust_cpu = cpu.children_cpu() - locust_before
        finally:
            for sampler in samplers:
                sampler.stop.set()
            stop_app(processes)
        # the rate over the stretch the completions span: the sign-ins before it (scrypt) are not load
        seconds = max(0.001, summary["last_completion_at"] - summary["first_completion_at"])
        span = (summary["first_completion_at"], summary["last_completion_at"])
        app_cpu = app_sampler.between(*span)
        db_cpu = db_sampler.between(*span) if db_sampler is not None else None
        outcome = Outcome(shape, seconds, len(summary["completed"]), summary["times"], summary["status"],
                          seed_seconds=seed_seconds, locust_log=log, completed_ids=summary["completed"],
                          app_cpu=app_cpu, locust_cpu=locust_cpu, db_cpu=db_cpu)
        outcome.checked_cases, outcome.problems = check(url, summary["completed"])
        if outcome.count("5xx"):
            app_log = Path(f"{scratch}/{shape}-app.log").read_text(encoding="utf-8", errors="replace")
            outcome.problems.append(f"{outcome.count('5xx')} responses 5xx; the app's log ends:\n"
                                    + app_log[-2000:])
    return outcome
