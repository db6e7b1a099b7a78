"""Supervisor monitoring at scale: dashboard and case-list query times at 10k and 100k cases.

Each size gets a database of its own (a SQLite file; a schema on PostgreSQL) with the real models
deployed, a small cast and a history written by `workflows.history_seed` (about 3.5 tasks and 27
events per case, spread over a year, the recent ones still running). Then, one fresh session per
call, median and p90 of `runs` calls after two warm-up calls:

- dashboard: `queries.dashboard` (all seven figures) for the director over the default 90 days and
  over all time, and for the EAST supervisor over 90 days;
- case list: `queries.list_cases` page 1 (count + 25 rows with their open steps and holders) for
  the director unfiltered and with the overdue filter, and for the EAST supervisor unfiltered.

Hook into bench/run.py: `tables.append(queries.table(queries.measure(sizes, runs, url), pg_note))`
with sizes (10_000, 100_000) for the full run and (2_000, 10_000) for --quick.
"""
from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from time import perf_counter
from typing import Any, Callable, Iterator, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from engine import queries
from engine.bpmn import deploy_directory
from engine.directory import RoleSpec, upsert_store
from engine.models import User
from workflows import history_paths
from workflows.history_seed import seed_history
from workflows.registry import SUPERVISION

from . import fixtures
from .report import Table, Target, median, percentile

SIZES = (10_000, 100_000)
QUICK_SIZES = (2_000, 10_000)
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
TZ = ZoneInfo("Asia/Shanghai")
DASHBOARD_TARGET_MS = 1000.0
LIST_TARGET_MS = 500.0
CAST = {"director": [RoleSpec("ops_director")],
        "supervisor_east": [RoleSpec("store_supervisor", region="EAST")],
        "cs_li": [RoleSpec("cs_agent")], "cs_wang": [RoleSpec("cs_agent")],
        "cs_manager": [RoleSpec("cs_manager")],
        "merch_zhao": [RoleSpec("merchandiser")], "warehouse_qian": [RoleSpec("warehouse_keeper")],
        "finance_wu": [RoleSpec("finance")], "trainer_sun": [RoleSpec("trainer")],
        "marketing_zhou": [RoleSpec("marketing")], "analyst_zheng": [RoleSpec("analyst")],
        "manager_sh001": [RoleSpec("store_manager", "SH001")],
        "manager_hz001": [RoleSpec("store_manager", "HZ001")],
        "manager_bj001": [RoleSpec("store_manager", "BJ001")],
        "franchisee_nj01": [RoleSpec("franchisee", "NJ01")]}
STORES = (("SH001", "上海南京路店", "EAST"), ("SH002", "上海徐家汇店", "EAST"),
          ("HZ001", "杭州湖滨店", "EAST"), ("NJ01", "南京新街口加盟店", "EAST"),
          ("BJ001", "北京王府井店", "NORTH"), ("GZ001", "广州天河店", "SOUTH"))


@dataclass(frozen=True)
class MonitorRow:
    database: str
    cases: int
    query: str
    found: int
    median_ms: float
    p90_ms: float


def _progress(message: str) -> None:
    print(f"  [monitoring] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _database(kind: str, url: str | None, size: int) -> Iterator[fixtures.Database]:
    if kind == "SQLite":
        with fixtures.sqlite_database() as db:
            yield db
    else:
        with fixtures.postgres_database(url or "", suffix=f"_mon{size}") as db:
            yield db


def _fill(db: fixtures.Database, size: int) -> None:
    repo = Path(__file__).resolve().parent.parent
    with db.sessions() as session:
        deploy_directory(session, repo / "bpmn", repo / "workflows" / "forms", now=NOW - timedelta(days=400),
                         deployed_by="bench")
        for code, name, region in STORES:
            upsert_store(session, code, name, region=region)
        for username, roles in CAST.items():
            fixtures.make_user(session, username, roles, NOW)
        session.commit()
        started = perf_counter()
        summary = seed_history(session, model=history_paths, cases=size, now=NOW, days=365, seed=17)
        session.commit()
        _progress(f"{db.label}: seeded {summary.cases:,} cases, {summary.tasks:,} tasks, "
                  f"{summary.events:,} events in {perf_counter() - started:.0f} s")
        session.execute(text("ANALYZE"))
        session.commit()


def _queries() -> list[tuple[str, str, Callable[[Any, User], int]]]:
    last_90 = queries.DashboardFilter(start=NOW - timedelta(days=90))
    every = queries.DashboardFilter()

    def board(f: queries.DashboardFilter) -> Callable[[Any, User], int]:
        return lambda session, user: len(queries.dashboard_view(session, user, f, NOW, TZ,
                                                                 rules=SUPERVISION).step_times)

    def listing(f: queries.CaseFilter) -> Callable[[Any, User], int]:
        return lambda session, user: queries.list_cases(session, user, f, NOW, rules=SUPERVISION).total

    return [("dashboard, 90 days", "director", board(last_90)),
            ("dashboard, all time", "director", board(every)),
            ("dashboard, 90 days", "supervisor_east", board(last_90)),
            ("case list page 1", "director", listing(queries.CaseFilter())),
            ("case list, overdue", "director", listing(queries.CaseFilter(overdue=True))),
            ("case list page 1", "supervisor_east", listing(queries.CaseFilter()))]


def measure(sizes: Sequence[int] = SIZES, runs: int = 5, url: str | None = None) -> list[MonitorRow]:
    rows = []
    for kind in ("SQLite",) + (("PostgreSQL",) if url else ()):
        for size in sizes:
            _progress(f"{kind}: {size:,} cases")
            with _database(kind, url, size) as db:
                _fill(db, size)
                for label, username, run in _queries():
                    times = []
                    found = 0
                    for n in range(runs + 2):
                        with db.sessions() as session:
                            user = session.scalar(select(User).where(User.username == username))
                            started = perf_counter()
                            found = run(session, user)
                            if n >= 2:
                                times.append(1000 * (perf_counter() - started))
                    rows.append(MonitorRow(kind, size, f"{label} ({username})", found, median(times),
                                           percentile(times, 90)))
    return rows


def table(rows: list[MonitorRow], postgres_note: str | None = None) -> Table:
    t = Table("Supervisor monitoring: dashboard and case list over a seeded history",
              ("database", "cases", "query", "found", "median ms", "p90 ms"),
              [(r.database, r.cases, r.query, r.found, r.median_ms, r.p90_ms) for r in rows])
    t.notes.append("dashboard = all seven figures (found: steps in the time-per-step chart); case list = "
                   "count + 25 rows with open steps and holders (found: matching cases); fresh session "
                   "per call")
    t.notes.append("history from workflows/history_seed.py over 365 days; tables ANALYZEd after seeding")
    if postgres_note:
        t.notes.append(postgres_note)
    largest = max((r.cases for r in rows), default=0)
    for database in sorted({r.database for r in rows}, key=lambda d: d != "SQLite"):
        at_max = [r for r in rows if r.database == database and r.cases == largest]
        boards = [r for r in at_max if r.query.startswith("dashboard, 90")]
        lists = [r for r in at_max if r.query.startswith("case list")]
        if boards:
            worst = max(boards, key=lambda r: r.median_ms)
            t.targets.append(Target(f"{database}: dashboard (90 days) under {DASHBOARD_TARGET_MS:g} ms at "
                                    f"{largest:,} cases", worst.median_ms < DASHBOARD_TARGET_MS,
                                    f"{worst.query}: {worst.median_ms:.0f} ms"))
        if lists:
            worst = max(lists, key=lambda r: r.median_ms)
            t.targets.append(Target(f"{database}: case list under {LIST_TARGET_MS:g} ms at {largest:,} cases",
                                    worst.median_ms < LIST_TARGET_MS,
                                    f"{worst.query}: {worst.median_ms:.0f} ms"))
    return t


if __name__ == "__main__":  # python -m bench.monitoring [--quick]
    quick = "--quick" in sys.argv
    rows = measure(QUICK_SIZES if quick else SIZES, 3 if quick else 5, fixtures.postgres_url())
    print(table(rows).render())
