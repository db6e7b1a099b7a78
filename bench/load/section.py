"""`make bench`'s load-test section: the production shape and the single process, side by side."""
from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Callable, Iterator

from bench import fixtures
from bench.report import Table, Target, percentile

from .harness import SERVE_THREADS, Outcome, Plan, run_shape

FULL = Plan(seconds=30, cases=3_000)
QUICK = Plan(seconds=15, cases=300)  # the sign-ins (scrypt) take seconds of it on a loaded machine
CORES = os.cpu_count() or 1
TARGET_RATE = 200.0
TARGET_COMPLETE_P95 = 100.0
TARGET_TODO_P95 = 50.0
SHAPES = {"production": f"opsflow serve --workers 2 --threads {SERVE_THREADS} + opsflow worker",
          "single": "opsflow run (1 process, 8 threads)"}
KINDS = ("complete (API)", "待办 (API)", "待办 (page)", "task page", "start (API)", "case list (page)",
         "dashboard (page)")


@contextlib.contextmanager
def database(postgres_url: str | None, suffix: str) -> Iterator[str]:
    """An empty database for one run: a schema of its own on the test server, else a SQLite file."""
    if postgres_url:
        with fixtures.postgres_database(postgres_url, suffix):
            yield fixtures.schema_url(postgres_url, suffix)
    else:
        with tempfile.TemporaryDirectory(prefix="opsflow-load-") as tmp:
            yield f"sqlite:///{tmp}/load.sqlite"


def measure(plan: Plan, postgres_url: str | None,
            progress: Callable[[str], None] = lambda _: None) -> list[Outcome]:
    outcomes = []
    for shape in SHAPES:
        progress(f"load test, {shape} shape: {plan.cases:,} open cases, {plan.seconds} s")
        with database(postgres_url, f"_load_{shape}") as url:
            outcomes.append(run_shape(shape, url, plan))
    return outcomes


def _p(outcome: Outcome, kind: str, q: float) -> float | str:
    times = outcome.times.get(kind)
    return round(percentile(times, q), 1) if times else ""


def _ms(value: float | None) -> float | str:
    return round(value, 1) if value is not None else ""


def _all_cpu_ms(outcome: Outcome) -> float | None:
    parts = (outcome.app_cpu, outcome.locust_cpu, outcome.db_cpu)
    return None if None in parts else outcome.cpu_ms(sum(p for p in parts if p is not None))


def _ceiling(outcome: Outcome) -> float | str:
    """The rate at which app, database and load generator together would keep every core busy."""
    total = _all_cpu_ms(outcome)
    return round(CORES * 1000 / total) if total else ""


def table(outcomes: list[Outcome], database_note: str, plan: Plan) -> Table:
    by_shape = {o.shape: o for o in outcomes}
    headers = ["what"] + [f"{shape}" for shape in by_shape]
    rows: list[list[object]] = [
        ["completions/s", *(round(o.per_second, 1) for o in outcomes)],
        ["completions", *(o.completions for o in outcomes)],
        ["app CPU ms per completion", *(_ms(o.cpu_ms(o.app_cpu)) for o in outcomes)],
        ["PostgreSQL CPU ms per completion", *(_ms(o.cpu_ms(o.db_cpu)) for o in outcomes)],
        ["locust CPU ms per completion", *(_ms(o.cpu_ms(o.locust_cpu)) for o in outcomes)],
        ["all CPU ms per completion", *(_ms(_all_cpu_ms(o)) for o in outcomes)],
        [f"CPU-bound ceiling on {CORES} cores, completions/s", *(_ceiling(o) for o in outcomes)],
    ]
    for kind in KINDS:
        for q in (50, 95, 99):
            rows.append([f"{kind} p{q} ms", *(_p(o, kind, q) for o in outcomes)])
        rows.append([f"{kind} requests", *(len(o.times.get(kind, ())) for o in outcomes)])
    rows += [["errors (not 2xx/3xx)", *(o.errors for o in outcomes)],
             ["5xx", *(o.count("5xx") for o in outcomes)],
             ["cases checked", *(o.checked_cases for o in outcomes)],
             ["disagreements (lost updates)", *(len(o.problems) for o in outcomes)]]
    t = Table(f"Load test: locust, the demo roles over HTTP on loopback ({database_note})", headers, rows)
    for shape, o in by_shape.items():
        t.notes.append(f"{shape}: {SHAPES[shape]}; {plan.cases:,} complaints open at the start (seeded in "
                       f"{o.seed_seconds:.0f} s), {plan.seconds} s or {2 * plan.cases:,} completions")
        t.notes += [f"{shape}: {p}" for p in o.problems]
    t.notes.append("app CPU: every app process (gunicorn's master and workers, `opsflow worker`; or the one "
                   "process) from the first completion to the last, divided by the completions (so with the "
                   "lists, pages and starts around them, not the sign-ins); PostgreSQL's: its server's "
                   "processes over the same stretch; the ceiling: the rate at which the three together "
                   "would keep every core busy (what this machine could give at this CPU per completion)")
    t.notes.append(f"users: {plan.managers} store managers, {plan.agents} agents (also start cases), "
                   f"{plan.supervisors} supervisor; locust on the same cores as the app")
    prod = by_shape.get("production")
    if prod is not None:
        complete_p95, todo_p95 = _p(prod, "complete (API)", 95), _p(prod, "待办 (API)", 95)
        t.targets += [
            Target(f">= {TARGET_RATE:g} user-task completions/s, production shape",
                   prod.per_second >= TARGET_RATE, f"{prod.per_second:.1f}/s"),
            Target(f"p95 complete <= {TARGET_COMPLETE_P95:g} ms, production shape",
                   isinstance(complete_p95, float) and complete_p95 <= TARGET_COMPLETE_P95,
                   f"{complete_p95} ms"),
            Target(f"p95 待办 <= {TARGET_TODO_P95:g} ms, production shape",
                   isinstance(todo_p95, float) and todo_p95 <= TARGET_TODO_P95, f"{todo_p95} ms"),
        ]
    t.targets += [
        Target("0 lost updates (cases, task rows and audit events agree)",
               all(not o.problems for o in outcomes),
               ", ".join(f"{o.shape}: {len(o.problems)}" for o in outcomes)),
        Target("0 responses 5xx", all(o.count("5xx") == 0 for o in outcomes),
               ", ".join(f"{o.shape}: {o.count('5xx')}" for o in outcomes)),
    ]
    return t
