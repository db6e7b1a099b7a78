"""Moving running cases to another version (issue 16): `engine.runtime.migrate_cases` over 10,000 cases
of the five-step benchmark process, on SQLite and PostgreSQL, in cases per second.

The cases wait at step 1 (or, for the baseline's share, step 2); version 2 renames step 1 and gives it
due hours, so every case can move and its task row changes. Each case is read, moved, written and
committed in a transaction of its own, as the command does it. The baseline, measured in the same run
on the same database: `Engine.complete` + commit on one case per transaction (the everyday command
that also restores, runs and stores a workflow).

Seeding 10,000 cases through `Engine.start` would take longer than the migration, so one case is
started for real and copied: its state with fresh task ids, its task row with the copy's ids.
"""
from __future__ import annotations

import contextlib
import re
import sys
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path
from time import perf_counter
from typing import Iterator

from sqlalchemy import insert, select

from engine import Engine, FrozenClock
from engine.bpmn import deploy_directory
from engine.directory import RoleSpec
from engine.models import HumanTask, ProcessInstance, User
from engine.runtime import migrate_cases

from . import fixtures
from .report import Table, Target

CASES = 10_000
QUICK_CASES = 500
TARGET = 200.0  # cases per second
PROCESS = "five_steps"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_BATCH = 1_000


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _version_2(text: str) -> str:
    old = '<bpmn:userTask id="step_1" name="登记"><bpmn:extensionElements><spiffworkflow:properties>'
    assert old in text
    return text.replace(old, old.replace("登记", "登记（新）")
                        + '<spiffworkflow:property name="dueInHours" value="8" />')


def _seed(db: fixtures.Database, engine: Engine, cases: int) -> tuple[int, int]:
    """`cases` cases of the five-step process waiting at step 1; the person who works on them."""
    with db.sessions() as session:
        fixtures.deploy_models(session, engine.clock())
        worker = fixtures.make_user(session, "bench_cs", [RoleSpec("cs_agent"), RoleSpec("cs_manager")],
                                    engine.clock())
        admin = fixtures.make_user(session, "bench_admin", [RoleSpec("admin")], engine.clock())
        first = engine.start(session, PROCESS, worker, {})
        session.commit()
        case = session.connection().execute(
            select(ProcessInstance.__table__).where(ProcessInstance.id == first.id)).mappings().one()
        task = session.connection().execute(
            select(HumanTask.__table__).where(HumanTask.instance_id == first.id)).mappings().one()
        case_row = {k: v for k, v in case.items() if k != "id"}
        task_row = {k: v for k, v in task.items() if k != "id"}
        ids = _UUID.findall(case_row["state"])
        for start in range(0, cases - 1, _BATCH):
            copies = []
            for _ in range(min(_BATCH, cases - 1 - start)):
                fresh = {old: str(uuid.uuid4()) for old in ids}
                copies.append((_UUID.sub(lambda m: fresh.get(m.group(0), m.group(0)), case_row["state"]),
                               fresh[task_row["spiff_task_id"]]))
            new_ids = session.connection().execute(
                insert(ProcessInstance.__table__).returning(ProcessInstance.id, sort_by_parameter_order=True),
                [{**case_row, "state": state} for state, _ in copies]).scalars().all()
            session.connection().execute(insert(HumanTask.__table__), [
                {**task_row, "instance_id": new_id, "spiff_task_id": spiff_id}
                for new_id, (_, spiff_id) in zip(new_ids, copies, strict=True)])
            session.commit()
        return worker.id, admin.id


def _deploy_v2(db: fixtures.Database, engine: Engine) -> None:
    with tempfile.TemporaryDirectory(prefix="opsflow-bench-v2-") as folder:
        for source in fixtures.MODELS.iterdir():
            text = source.read_text("utf-8")
            (Path(folder) / source.name).write_text(
                _version_2(text) if source.name == f"{PROCESS}.bpmn" else text, "utf-8")
        with db.sessions() as session:
            deploy_directory(session, folder, now=engine.clock(), deployed_by="bench")
            session.commit()


def _baseline(db: fixtures.Database, engine: Engine, worker: int, cases: int) -> float:
    """Seconds per case of `Engine.complete` + commit on the first `cases` cases (step 1 → step 2)."""
    with db.sessions() as session:
        tasks = session.scalars(select(HumanTask.id).where(HumanTask.state == "open")
                                .order_by(HumanTask.id).limit(cases)).all()
    data = fixtures.form_data("step_1")
    started = perf_counter()
    for task_id in tasks:
        with db.sessions() as session:
            engine.complete(session, task_id, session.get(User, worker), data)
            session.commit()
    return (perf_counter() - started) / len(tasks)


def measure_one(db: fixtures.Database, cases: int) -> dict[str, float]:
    engine = Engine(clock=FrozenClock(datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)))
    started = perf_counter()
    worker, admin = _seed(db, engine, cases)
    _progress(f"migration on {db.label}: {cases:,} cases seeded in {perf_counter() - started:.1f} s")
    complete = _baseline(db, engine, worker, max(50, cases // 20))
    _deploy_v2(db, engine)
    with db.sessions() as session:
        user = session.get(User, admin)
        started = perf_counter()
        dry = migrate_cases(engine, db.sessions, user, PROCESS, 1, 2, dry_run=True)
        dry_seconds = perf_counter() - started
        started = perf_counter()
        report = migrate_cases(engine, db.sessions, user, PROCESS, 1, 2, dry_run=False)
        seconds = perf_counter() - started
    assert report.moved == cases == len(dry.cases), (report.moved, cases, len(dry.cases))
    return {"cases": cases, "seconds": seconds, "rate": cases / seconds, "dry_rate": cases / dry_seconds,
            "per_case_ms": seconds / cases * 1000, "complete_ms": complete * 1000,
            "ratio": (seconds / cases) / complete}


@contextlib.contextmanager
def _databases(url: str | None) -> Iterator[list[fixtures.Database]]:
    with contextlib.ExitStack() as stack:
        found = [stack.enter_context(fixtures.sqlite_database())]
        if url:
            found.append(stack.enter_context(fixtures.postgres_database(url, "_migration")))
        yield found


def measure(cases: int, url: str | None) -> dict[str, dict[str, float]]:
    results = {}
    with _databases(url) as databases:
        for db in databases:
            results[db.label] = measure_one(db, cases)
    return results


def table(results: dict[str, dict[str, float]]) -> Table:
    rows = [(label, f"{r['cases']:,.0f}", f"{r['rate']:,.0f}", f"{r['dry_rate']:,.0f}",
             f"{r['per_case_ms']:.2f}", f"{r['complete_ms']:.2f}", f"{r['ratio']:.2f}")
            for label, r in results.items()]
    targets = [Target(f"migration of {r['cases']:,.0f} cases on {label} ≥ {TARGET:.0f} cases/s",
                      r["rate"] >= TARGET, f"{r['rate']:,.0f} cases/s") for label, r in results.items()]
    return Table("Moving running cases to version 2 (migrate_cases, one transaction per case)",
                 ("database", "cases", "moved/s", "dry run/s", "ms/case", "complete ms", "ratio"), rows,
                 notes=["ratio: ms per migrated case / ms per Engine.complete + commit (same database, run)"],
                 targets=targets)


if __name__ == "__main__":  # python -m bench.migration [cases]
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    count = int(sys.argv[1]) if len(sys.argv) > 1 else QUICK_CASES
    print(table(measure(count, fixtures.postgres_url())).render())
