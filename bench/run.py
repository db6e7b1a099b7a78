"""`make bench`: measure the engine and print one table per section, with the issue's targets.

    .venv/bin/python bench/run.py              full run (about 2 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick      smoke run with small sizes (seconds)
    .venv/bin/python bench/run.py --profile    also print a cProfile of Engine.complete and the API's
    .venv/bin/python bench/run.py --no-1m      the dashboard at 100k cases only (not copied up to 1M)
    .venv/bin/python bench/run.py --monitoring-only   the dashboard, case list and CSV sections alone
    .venv/bin/python bench/run.py --workers    also 10,000 due timers drained by 1 and 2 worker processes
                                               on PostgreSQL, and a kill -9 run (about 6 minutes)
    .venv/bin/python bench/run.py --load-only  the load test alone (locust against `opsflow serve` and `run`)
    .venv/bin/python -m bench.migration [N]    only moving N running cases to a new version (default 500)

PostgreSQL is measured too when `OPSFLOW_TEST_POSTGRES_URL` is set or `instance/pgtest.url` exists
(`make test` or `scripts/test-services.sh start` write it); otherwise it is reported as skipped.
Progress goes to stderr, the tables to stdout.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bench import api_cost, fixtures, report, robots, script_cost, state_size, steps, tasklist  # noqa: E402
from engine.db import make_sql_engine  # noqa: E402


@dataclass(frozen=True)
class Sizes:
    instances: int          # five-step cases per variant in the step-cost comparison
    warmup: int
    step_rounds: int        # the variants take turns this many times (see steps.measure)
    list_sizes: tuple[int, ...]
    list_runs: int
    state_instances: int
    migration_cases: int = 10_000  # running cases moved to a new version (bench/migration.py)


FULL = Sizes(instances=200, warmup=10, step_rounds=20, list_sizes=tasklist.SIZES, list_runs=50,
             state_instances=10)
QUICK = Sizes(instances=20, warmup=3, step_rounds=4, list_sizes=(200, 1_000, 2_000), list_runs=10,
              state_instances=2, migration_cases=500)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def postgres(no_postgres: bool) -> tuple[str | None, str | None, str]:
    """(url, server version, note): the URL only when the server answers."""
    if no_postgres:
        return None, None, "PostgreSQL skipped (--no-postgres)"
    url = fixtures.postgres_url()
    if not url:
        return None, None, ("PostgreSQL skipped: OPSFLOW_TEST_POSTGRES_URL is unset and instance/pgtest.url "
                            "does not exist (start it with `bash scripts/test-services.sh start`)")
    sql_engine = make_sql_engine(url, connect_args={"connect_timeout": 5})
    try:
        with sql_engine.connect() as conn:
            server = str(conn.execute(text("SHOW server_version")).scalar_one())
    except Exception as exc:  # any failure to connect means: measure without it
        return None, None, f"PostgreSQL skipped: {url} did not answer ({type(exc).__name__})"
    finally:
        sql_engine.dispose()
    return url, server, f"PostgreSQL {server} at {url.rsplit('@', 1)[-1]}, in a schema of its own"


def _engine_tables(sizes: Sizes, url: str | None, pg_note: str) -> list[report.Table]:
    tables = []
    _progress(f"step cost: {sizes.instances} cases x {steps.STEPS} steps per variant")
    tables.append(steps.table(steps.measure(sizes.instances, sizes.warmup, url, rounds=sizes.step_rounds)))
    _progress(f"API complete against the engine command: {sizes.instances} cases x {api_cost.STEPS} steps")
    tables.append(api_cost.table(api_cost.measure(sizes.instances, sizes.warmup)))
    _progress("script cost: evaluations, and a five-step process with a worker script per step")
    tables.append(script_cost.measure(sizes.instances, 500 if sizes is QUICK else 5_000))
    _progress(f"task list: {', '.join(f'{n:,}' for n in sizes.list_sizes)} open tasks")
    tables.append(tasklist.table(tasklist.measure(sizes.list_sizes, sizes.list_runs, url), pg_note))
    _progress("state size")
    tables.append(state_size.table(state_size.measure(sizes.state_instances)))
    from bench import mail_delivery
    _progress("e-mail delivery: 1,000 queued e-mails to a loopback SMTP server")
    tables.append(mail_delivery.table(mail_delivery.measure(1_000, 100, url), pg_note))
    _progress("group robot delivery: 1,000 messages per robot kind to a loopback endpoint")
    tables.append(robots.measure(robots.MESSAGES))
    from bench import migration
    _progress(f"moving {sizes.migration_cases:,} running cases to a new version")
    tables.append(migration.table(migration.measure(sizes.migration_cases, url)))
    return tables


def _load_table(quick: bool, url: str | None, pg_note: str) -> report.Table:
    if find_spec("locust") is None:  # not imported: locust monkey-patches the process it is imported in
        return report.Table("Load test: skipped (locust is not installed: pip install -e '.[bench]')",
                            ("",), [])
    from bench.load import section
    plan = section.QUICK if quick else section.FULL
    return section.table(section.measure(plan, url, _progress), pg_note if url else "SQLite", plan)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run in seconds")
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of Engine.complete")
    parser.add_argument("--no-monitoring", action="store_true",
                        help="skip the dashboard and case-list section (it seeds up to 100k cases)")
    parser.add_argument("--no-1m", action="store_true",
                        help="skip the dashboard at 1M cases (the 100k history copied ten times)")
    parser.add_argument("--monitoring-only", action="store_true",
                        help="only the dashboard, case-list and CSV sections (the engine's are skipped)")
    parser.add_argument("--workers", action="store_true",
                        help="also the background workers section (PostgreSQL; 1,000 timers with --quick)")
    parser.add_argument("--load-only", action="store_true",
                        help="only the load test (locust; production shape and single process, side by side)")
    parser.add_argument("--no-load", action="store_true", help="skip the load test")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    load_before = report.load_average()
    url, server, pg_note = postgres(args.no_postgres)
    _progress(pg_note)

    tables = [] if args.monitoring_only or args.load_only else _engine_tables(sizes, url, pg_note)
    if not (args.no_monitoring or args.load_only):
        from bench import monitoring
        _progress("dashboard and case list")
        board_size = monitoring.QUICK_SIZE if args.quick else monitoring.SIZE
        factor = None if args.no_1m else monitoring.LARGE_FACTOR
        tables.append(monitoring.table(monitoring.measure(board_size, 3 if args.quick else 5, url, factor),
                                       pg_note))
        from bench import csv_export
        _progress("CSV export")
        # the app fills the database it is given: on PostgreSQL a schema of its own, not the tests' tables
        tables.append(csv_export.table(csv_export.measure(board_size, url, scratch_schema=True)))

    if args.workers:
        from bench import workers
        if url:
            tables.append(workers.table(workers.measure(url, 1_000 if args.quick else workers.TIMERS)))
        else:
            _progress(f"background workers skipped: {pg_note}")
    # read before the load test: its own app, PostgreSQL and locust keep both cores busy (a load of about
    # 3), which the warning about other work would take for a busy machine
    load_after = report.load_average()
    load_test = args.load_only or not (args.no_load or args.monitoring_only)
    if load_test:
        tables.append(_load_table(args.quick, url, pg_note))

    elapsed = time.perf_counter() - started
    header = report.machine(server, load_before, load_after, "before the load test" if load_test else "end")
    header.rows.append(("run", f"{'quick' if args.quick else 'full'}, {elapsed:.0f} s"))
    print(header.render(), end="\n\n")
    for table in tables:
        print(table.render(), end="\n\n")
    summary = report.Table("Targets", ("verdict", "target", "measured"),
                           [(t.verdict, t.text, t.detail) for table in tables for t in table.targets])
    print(summary.render())
    if args.profile:
        _progress("profiling Engine.complete")
        print("\nProfile: Engine.complete + commit on SQLite, 100 cases x 5 steps, by cumulative time")
        print(steps.profile(instances=100, top=40))
        print("\nProfile: POST /api/v1/tasks/<id>/complete on SQLite, 100 cases x 5 steps, cumulative")
        print(api_cost.profile(instances=100, top=40))
    return 0


if __name__ == "__main__":
    sys.exit(main())
