"""Supervisor monitoring at scale: dashboard and case-list query times at 100k cases, and the
dashboard at 1M.

Each database (a SQLite file; a schema on PostgreSQL) gets the real models, a small cast and a
history written by `workflows.history_seed` (about 3.5 tasks and 27 events per case, spread over a
year, the recent ones still running), then the dashboard's rollups rebuilt from it (timed). Then,
one fresh session per call, median and p90 of `runs` calls after two warm-up calls:

- dashboard: `queries.dashboard_view` (all seven figures) for the director over the default 90 days
  and over all time, and for the EAST supervisor over 90 days; read from the rollups (the page's
  way) and, as the baseline of the same run, from the base tables alone (no `zone`);
- case list: `queries.list_cases` page 1 (count + 25 rows with their open steps and holders) for
  the director unfiltered and with the overdue filter, and for the EAST supervisor unfiltered.

Then the history is copied up to 1M cases (`bench.scale_up`) and the dashboard read from the rollups
is timed again (the base tables take seconds there: one baseline call each).

Hook into bench/run.py: `monitoring.table(monitoring.measure(size, runs, url, factor), pg_note)`.
"""
from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from time import perf_counter
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from engine import queries, runtime
from engine.bpmn import deploy_directory
from engine.directory import RoleSpec, upsert_store
from engine.models import User
from workflows import history_paths
from workflows.history_seed import seed_history
from workflows.registry import SUPERVISION

from . import fixtures
from .report import Table, Target, median, percentile
from .scale_up import scale_up

SIZE = 100_000
QUICK_SIZE = 2_000
LARGE_FACTOR = 10  # the 1M figures: the 100k history copied ten times
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
TZ = ZoneInfo("Asia/Shanghai")
DASHBOARD_TARGET_MS = 150.0
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
    source: str  # "rollups", "base tables" (the baseline), "" for the case list
    found: int
    median_ms: float
    p90_ms: float


@dataclass(frozen=True)
class Upkeep:
    database: str
    cases: int
    cells: int
    rebuild_s: float


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


def _fill(db: fixtures.Database, size: int) -> Upkeep:
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
        started = perf_counter()
        cells = runtime.rebuild_rollups(session, TZ)
        session.commit()
        rebuild_s = perf_counter() - started
        _progress(f"{db.label}: rebuilt {cells:,} rollup cells in {rebuild_s:.0f} s")
        session.execute(text("ANALYZE"))
        session.commit()
    return Upkeep(db.label, size, cells, rebuild_s)


Query = tuple[str, str, str, Callable[[Any, User], int]]


def _boards(zone: ZoneInfo | None) -> list[Query]:
    source = "rollups" if zone is not None else "base tables"

    def board(f: queries.DashboardFilter) -> Callable[[Any, User], int]:
        return lambda session, user: len(queries.dashboard_view(session, user, f, NOW, TZ, rules=SUPERVISION,
                                                                 zone=zone).step_times)

    # the page's "last 90 days": whole days of the business zone (webapp/dashboard/charts.py)
    first = datetime.combine(NOW.astimezone(TZ).date() - timedelta(days=90), time(0), tzinfo=TZ)
    last_90, every = queries.DashboardFilter(start=first), queries.DashboardFilter()
    return [("dashboard, 90 days", "director", source, board(last_90)),
            ("dashboard, all time", "director", source, board(every)),
            ("dashboard, 90 days", "supervisor_east", source, board(last_90))]


def _lists() -> list[Query]:
    def listing(f: queries.CaseFilter) -> Callable[[Any, User], int]:
        return lambda session, user: queries.list_cases(session, user, f, NOW, rules=SUPERVISION).total

    return [("case list page 1", "director", "", listing(queries.CaseFilter())),
            ("case list, overdue", "director", "", listing(queries.CaseFilter(overdue=True))),
            ("case list page 1", "supervisor_east", "", listing(queries.CaseFilter()))]


def _time(db: fixtures.Database, cases: int, plan: list[Query], runs: int, warmup: int = 2,
          ) -> list[MonitorRow]:
    rows = []
    for label, username, source, run in plan:
        times = []
        found = 0
        for n in range(runs + warmup):
            with db.sessions() as session:
                user = session.scalar(select(User).where(User.username == username))
                started = perf_counter()
                found = run(session, user)
                if n >= warmup:
                    times.append(1000 * (perf_counter() - started))
        rows.append(MonitorRow(db.label, cases, f"{label} ({username})", source, found, median(times),
                               percentile(times, 90)))
    return rows


def measure(size: int = SIZE, runs: int = 5, url: str | None = None, factor: int | None = LARGE_FACTOR,
            ) -> tuple[list[MonitorRow], list[Upkeep]]:
    rows: list[MonitorRow] = []
    upkeep = []
    for kind in ("SQLite",) + (("PostgreSQL",) if url else ()):
        _progress(f"{kind}: {size:,} cases")
        with _database(kind, url, size) as db:
            upkeep.append(_fill(db, size))
            rows += _time(db, size, _boards(TZ) + _boards(None) + _lists(), runs)
            if factor:
                with db.sessions() as session:
                    started = perf_counter()
                    total = scale_up(session, factor)
                    session.commit()
                # as autovacuum would after so many writes (the scaled cells were all rewritten)
                vacuum = "VACUUM ANALYZE" if kind == "PostgreSQL" else "ANALYZE"
                with db.sql_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text(vacuum))
                _progress(f"{kind}: copied up to {total:,} cases in {perf_counter() - started:.0f} s")
                rows += _time(db, total, _boards(TZ), runs)
                rows += _time(db, total, _boards(None)[:1], 1, warmup=0)
    return rows, upkeep


def table(measured: tuple[list[MonitorRow], list[Upkeep]], postgres_note: str | None = None) -> Table:
    rows, upkeep = measured
    baseline = {(r.database, r.cases, r.query): r.median_ms for r in rows if r.source == "base tables"}

    def ratio(r: MonitorRow) -> str:
        base = baseline.get((r.database, r.cases, r.query))
        return f"{r.median_ms / base:.2f}x" if r.source == "rollups" and base else ""

    t = Table("Supervisor monitoring: dashboard and case list over a seeded history",
              ("database", "cases", "query", "read from", "found", "median ms", "p90 ms", "vs base tables"),
              [(r.database, r.cases, r.query, r.source, r.found, r.median_ms, r.p90_ms, ratio(r))
               for r in rows])
    t.notes.append("dashboard = all seven figures (found: steps in the time-per-step chart); case list = "
                   "count + 25 rows with open steps and holders (found: matching cases); fresh session "
                   "per call; 'base tables' = the same figures without rollups, the baseline of this run")
    t.notes.append("history from workflows/history_seed.py over 365 days; tables ANALYZEd after seeding; "
                   "the largest size is that history copied (bench/scale_up.py), its rollups scaled")
    for u in upkeep:
        t.notes.append(f"{u.database}: rollups rebuilt from {u.cases:,} cases in {u.rebuild_s:.1f} s "
                       f"({u.cells:,} cells)")
    if postgres_note:
        t.notes.append(postgres_note)
    for database in sorted({r.database for r in rows}, key=lambda d: d != "SQLite"):
        for cases in sorted({r.cases for r in rows if r.database == database}):
            boards = [r for r in rows
                      if r.database == database and r.cases == cases and r.source == "rollups"]
            if boards:
                worst = max(boards, key=lambda r: r.median_ms)
                t.targets.append(Target(f"{database}: dashboard (90 days, all time) within "
                                        f"{DASHBOARD_TARGET_MS:g} ms at {cases:,} cases",
                                        worst.median_ms <= DASHBOARD_TARGET_MS,
                                        f"slowest: {worst.query}: {worst.median_ms:.0f} ms"))
        lists = [r for r in rows if r.database == database and r.query.startswith("case list")]
        if lists:
            worst = max(lists, key=lambda r: r.median_ms)
            t.targets.append(Target(f"{database}: case list under {LIST_TARGET_MS:g} ms at {worst.cases:,} "
                                    "cases", worst.median_ms < LIST_TARGET_MS,
                                    f"{worst.query}: {worst.median_ms:.0f} ms"))
    return t


if __name__ == "__main__":  # python -m bench.monitoring [--quick] [--no-1m]
    quick = "--quick" in sys.argv
    print(table(measure(QUICK_SIZE if quick else SIZE, 3 if quick else 5, fixtures.postgres_url(),
                        None if "--no-1m" in sys.argv else LARGE_FACTOR)).render())
