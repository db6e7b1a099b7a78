"""Task-list query time for one user as the number of open tasks grows (1k, 10k, 100k).

Each size gets a database of its own (a SQLite file; a schema on PostgreSQL) whose `human_task` and
`process_instance` tables are filled with SQLAlchemy Core bulk inserts (one
minimal case per task, state `'{}'`), spread over roles, 200 stores in five regions and 50 other
people, about a third of them claimed. The measured user is the store manager of S0001: 20 open tasks
are claimable by them and 5 are assigned to them whatever the total, so a list that stays flat as
the total grows is one whose cost follows what the user sees, not what the table holds.

`queries.list_tasks` is timed as the task page calls it (its count query plus its page of 20 with
case and assignee joined), one fresh session per call, for each scope; `queries.task_counts` (the
two numbers in the navigation, sent with every page) is shown beside it.
"""
from __future__ import annotations

import contextlib
import random
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import perf_counter
from typing import Any, Sequence

from sqlalchemy import func, insert, select, text

from engine import FrozenClock, queries
from engine.directory import RoleSpec, upsert_store
from engine.models import HumanTask, ProcessInstance, ProcessVersion

from . import fixtures
from .report import Table, Target, median, percentile

SIZES = (1_000, 10_000, 100_000)
SCOPES = ("mine", "claimable", "todo")
REGIONS = ("EAST", "NORTH", "SOUTH", "WEST", "CENTRAL")
STORES = [f"S{n:04d}" for n in range(1, 201)]
MEASURED_STORE = STORES[0]
CLAIMABLE, ASSIGNED = 20, 5
ROLE_WEIGHTS = {"store_manager": 40, "cs_agent": 20, "store_supervisor": 10, "franchisee": 10,
                "ops_director": 10, "cs_manager": 10}
PROCESS_KEYS = ("five_steps", "complaint_handling", "store_opening", "product_return")
TARGET_MS = 10.0
FLAT_RATIO = 1.5
BATCH = 10_000


@dataclass(frozen=True)
class ListRow:
    database: str
    open_tasks: int
    query: str          # mine, claimable, todo (list_tasks scopes) or counts (task_counts)
    found: int          # tasks the query reports for the user (Page.total, or mine + claimable)
    median_ms: float
    p90_ms: float
    ratio: float        # median against the smallest size, same database and query


def _progress(message: str) -> None:
    print(f"  [tasklist] {message}", file=sys.stderr, flush=True)


class _Seeder:
    """Fills one database with open tasks (one case each), deterministically."""

    def __init__(self, db: fixtures.Database, now: datetime) -> None:
        self.db, self.now, self.count, self.measured = db, now, 0, 0
        self.rng = random.Random(20261102)
        with db.sessions() as session:
            for i, code in enumerate(STORES):
                upsert_store(session, code, f"门店 {code}", region=REGIONS[i % len(REGIONS)])
            fixtures.deploy_models(session, now)
            roles = [RoleSpec("store_manager", MEASURED_STORE)]
            self.user = fixtures.make_user(session, "manager_s0001", roles, now)
            self.others = [fixtures.make_user(session, f"staff_{n:02d}", [], now).id for n in range(50)]
            self.version_id = session.scalar(select(func.min(ProcessVersion.id)))
            session.commit()
        self.region = {code: REGIONS[i % len(REGIONS)] for i, code in enumerate(STORES)}
        self.roles = list(ROLE_WEIGHTS)
        self.weights = list(ROLE_WEIGHTS.values())

    def seed(self, total: int) -> None:
        """Insert `total` open tasks in batches; the measured user's 25 land in the first batch."""
        while self.count < total:
            stop = min(total, self.count + BATCH)
            first = self.count == 0
            mine = set(self.rng.sample(range(stop), CLAIMABLE + ASSIGNED)) if first else set()
            instances, tasks = [], []
            for n in range(self.count, stop):
                instance, task = self._row(n + 1, n in mine)
                instances.append(instance)
                tasks.append(task)
            with self.db.sql_engine.begin() as conn:
                conn.execute(insert(ProcessInstance.__table__), instances)
                conn.execute(insert(HumanTask.__table__), tasks)
            self.count = stop
        with self.db.sql_engine.begin() as conn:  # what autovacuum / `PRAGMA optimize` would do
            conn.execute(text("ANALYZE"))

    def _row(self, n: int, measured: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        rng, now = self.rng, self.now
        assignee = None
        if measured:
            role, store = "store_manager", MEASURED_STORE
            self.measured += 1
            if self.measured <= ASSIGNED:
                assignee = self.user.id
        else:
            role = rng.choices(self.roles, self.weights)[0]
            store = rng.choice(STORES[1:]) if role in ("store_manager", "franchisee", "store_supervisor") \
                else (rng.choice(STORES[1:]) if rng.random() < 0.5 else None)
            if rng.random() < 0.3:
                assignee = rng.choice(self.others)
        region = self.region[store] if store else None
        process_key = PROCESS_KEYS[n % len(PROCESS_KEYS)]
        created = now - timedelta(minutes=rng.randrange(60 * 24 * 30))
        step = f"step_{n % 5 + 1}"
        instance = dict(id=n, version_id=self.version_id, process_key=process_key,
                        business_key=f"BENCH-{n:07d}", title=f"基准案例 {n}", status="running",
                        store_code=store, region=region, started_by_id=self.others[n % len(self.others)],
                        started_at=created, updated_at=created, serializer_version="1.5", state="{}",
                        lock_version=1)
        task = dict(id=n, instance_id=n, spiff_task_id=f"00000000-0000-4000-8000-{n:012d}",
                    process_key=process_key, element_id=step, name=step, lane_role=role, store_code=store,
                    region=region, form_file=f"{step}.json", assignee_id=assignee, state="open",
                    priority=rng.randint(1, 5), created_at=created,
                    claimed_at=created + timedelta(minutes=5) if assignee else None,
                    due_at=None if rng.random() < 0.1 else now + timedelta(hours=rng.randrange(-48, 96)))
        return instance, task


def measure_databases(dbs: Sequence[fixtures.Database], sizes: Sequence[int] = SIZES, runs: int = 50,
                      rounds: int = 5) -> list[ListRow]:
    """Seed database i with sizes[i] open tasks, then time the queries on all of them in turns.

    The sizes live in databases of their own so they can be measured in turns, `rounds` times over:
    a change in the machine's load during the run then touches every size alike.
    """
    if sizes[0] < 2 * (CLAIMABLE + ASSIGNED):
        raise ValueError(f"the smallest size must hold at least {2 * (CLAIMABLE + ASSIGNED)} tasks")
    clock = FrozenClock()
    users = []
    for db, size in zip(dbs, sizes, strict=True):
        _progress(f"{db.label}: seeding {size:,} open tasks")
        seeder = _Seeder(db, clock())
        seeder.seed(size)
        users.append(seeder.user)

    def call(db: fixtures.Database, user: Any, name: str) -> Any:
        with db.sessions() as session:
            if name == "counts":
                return queries.task_counts(session, user)
            return queries.list_tasks(session, user, queries.TaskFilter(scope=name), clock())

    names = (*SCOPES, "counts")
    samples: dict[tuple[int, str], list[float]] = {(i, n): [] for i in range(len(sizes)) for n in names}
    found: dict[tuple[int, str], int] = {}
    _progress(f"{dbs[0].label}: timing {len(names)} queries x {len(sizes)} sizes x {runs} runs")
    for i, db in enumerate(dbs):
        for name in names:
            for _ in range(5):  # warm-up: connections, statement caches, pages
                result = call(db, users[i], name)
            found[i, name] = result["todo"] if name == "counts" else result.total
    per_round = [runs // rounds + (1 if r < runs % rounds else 0) for r in range(rounds)]
    for n in per_round:
        for i, db in enumerate(dbs):
            for name in names:
                for _ in range(n):
                    t0 = perf_counter()
                    call(db, users[i], name)
                    samples[i, name].append((perf_counter() - t0) * 1000)
    rows = []
    for i, size in enumerate(sizes):
        for name in names:
            mid = median(samples[i, name])
            rows.append(ListRow(dbs[i].label, size, name, found[i, name], mid,
                                percentile(samples[i, name], 90), mid / median(samples[0, name])))
    return rows


def measure(sizes: Sequence[int] = SIZES, runs: int = 50, postgres_url: str | None = None) -> list[ListRow]:
    with contextlib.ExitStack() as stack:
        dbs = [stack.enter_context(fixtures.sqlite_database()) for _ in sizes]
        rows = measure_databases(dbs, sizes, runs)
    if postgres_url:
        with contextlib.ExitStack() as stack:
            dbs = [stack.enter_context(fixtures.postgres_database(postgres_url, f"_{n}")) for n in sizes]
            rows += measure_databases(dbs, sizes, runs)
    return rows


def table(rows: list[ListRow], postgres_note: str | None = None) -> Table:
    body = [(r.database, r.open_tasks, r.query if r.query != "counts" else "nav counts", r.found,
             r.median_ms, r.p90_ms, f"{r.ratio:.2f}x") for r in rows]
    sizes = sorted({r.open_tasks for r in rows})
    t = Table(f"Task list: one store manager, {CLAIMABLE} claimable + {ASSIGNED} assigned of N open tasks",
              ("database", "open tasks", "query", "found", "median ms", "p90 ms", "x smallest"), body)
    t.notes.append("list_tasks = count query + page of 20 (case and assignee joined), fresh session per "
                   "call; each size in a database of its own, all measured in turns; median after 5 "
                   "warm-up calls")
    t.notes.append("tables ANALYZEd after seeding (as autovacuum / PRAGMA optimize would)")
    if postgres_note:
        t.notes.append(postgres_note)
    largest = sizes[-1]
    for database in sorted({r.database for r in rows}, key=lambda d: d != "SQLite"):
        at_max = [r for r in rows if r.database == database and r.open_tasks == largest and r.query in SCOPES]
        worst = max(at_max, key=lambda r: r.median_ms)
        t.targets.append(Target(f"{database}: list_tasks under {TARGET_MS:g} ms at {largest:,} open tasks",
                                worst.median_ms < TARGET_MS,
                                f"slowest scope {worst.query}: {worst.median_ms:.2f} ms"))
        flattest = max(at_max, key=lambda r: r.ratio)
        t.targets.append(Target(f"{database}: flat as the count grows (at {largest:,} within {FLAT_RATIO:g}x "
                                f"of {sizes[0]:,})", flattest.ratio <= FLAT_RATIO,
                                f"worst scope {flattest.query}: {flattest.ratio:.2f}x"))
    return t
