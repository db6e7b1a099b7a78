"""The cost of one step of a five-step process: SpiffWorkflow in memory against the engine's command.

A step is what the engine must do at the least to move a stored case on by one user task: restore
the workflow, put the submitted data on the READY user task, run it, run the engine steps up to the
next user task, store the workflow again. It is measured three ways, per step, over many instances:

- in memory with SpiffWorkflow's stock serializer (`BpmnWorkflowSerializer` + `SPIFF_CONFIG`,
  `deserialize_json` / `serialize_json`: the spec travels inside every JSON), the issue's baseline;
- in memory with the engine's own `engine.bpmn.state.loads` / `dumps` (spec left out, parsed spec cached);
- the engine's `Engine.complete` command plus `session.commit()` on a SQLite file (WAL), one
  session per step as a web request has; on PostgreSQL too when its test server is there.
"""
from __future__ import annotations

import contextlib
import cProfile
import io
import pstats
from dataclasses import dataclass
from time import perf_counter
from typing import Any, Callable

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import event

from engine import Engine, FrozenClock, bpmn
from engine.bpmn import ParsedProcess
from engine.directory import RoleSpec

from . import fixtures
from .report import Table, Target, median, percentile

PROCESS = "five_steps"
STEPS = 5
TARGET_RATIO = 2.0


@dataclass(frozen=True)
class StepRow:
    key: str            # stable name: stock, stock.load, ..., engine_sqlite, engine_sqlite.commit
    what: str
    median_ms: float
    p90_ms: float
    samples: int
    statements: float | None = None  # SQL statements per step (median), for the engine rows
    round_medians: tuple[float, ...] = ()  # median ms of each round, for the whole-step rows

    @property
    def is_part(self) -> bool:
        return "." in self.key


def stock_serializer() -> BpmnWorkflowSerializer:
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def _ms(seconds: list[float]) -> tuple[float, float]:
    values = [s * 1000 for s in seconds]
    return median(values), percentile(values, 90)


def _row(key: str, what: str, seconds: list[float], statements: float | None = None,
         rounds: list[list[float]] | None = None) -> StepRow:
    mid, p90 = _ms(seconds)
    return StepRow(key, what, mid, p90, len(seconds), statements,
                   tuple(median(r) * 1000 for r in rounds or ()))


def in_memory(parsed: ParsedProcess, instances: int, load: Callable[[str], BpmnWorkflow],
              dump: Callable[[BpmnWorkflow], str]) -> dict[str, list[float]]:
    """Per-step seconds of load / run / save for `instances` cases of five steps each."""
    times: dict[str, list[float]] = {"load": [], "run": [], "save": [], "total": []}
    for _ in range(instances):
        workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
        workflow.get_next_task(state=TaskState.READY).data["started_by"] = "bench"
        workflow.do_engine_steps()
        blob = dump(workflow)
        for _ in range(STEPS):
            t0 = perf_counter()
            workflow = load(blob)
            t1 = perf_counter()
            task = workflow.get_next_task(state=TaskState.READY, manual=True)
            task.data.update(fixtures.form_data(task.task_spec.bpmn_id))
            task.run()
            workflow.do_engine_steps()
            t2 = perf_counter()
            blob = dump(workflow)
            t3 = perf_counter()
            for key, value in (("load", t1 - t0), ("run", t2 - t1), ("save", t3 - t2), ("total", t3 - t0)):
                times[key].append(value)
        assert workflow.is_completed()
    return times


class EngineRun:
    """The engine on one database, with the benchmark models deployed and a user for both lanes."""

    def __init__(self, db: fixtures.Database) -> None:
        self.db = db
        self.clock = FrozenClock()
        self.engine = Engine(clock=self.clock)
        with db.sessions() as session:
            fixtures.deploy_models(session, self.clock())
            roles = [RoleSpec("cs_agent"), RoleSpec("cs_manager")]
            self.user = fixtures.make_user(session, "bench_cs", roles, self.clock())
            session.commit()

    def steps(self, instances: int, warmup: int = 0,
              profiler: cProfile.Profile | None = None) -> dict[str, list[float]]:
        """Per-step seconds of `Engine.complete` and of the commit after it, one session per step.

        `warmup + instances` cases are started first; then step 1 of every case is completed, then
        step 2, ..., so each command finds its case among many, as in a running system. The first
        `warmup` cases are not counted. `statements` holds the SQL statements each counted step sent.
        """
        db, engine, user = self.db, self.engine, self.user
        with db.sessions() as session:
            open_tasks = []
            for _ in range(warmup + instances):
                view = engine.start(session, PROCESS, user, {})
                open_tasks.append((view.open_tasks[0].id, view.open_tasks[0].element_id))
            session.commit()

        statements = 0

        def count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(db.sql_engine, "before_cursor_execute", count)
        times: dict[str, list[float]] = {"complete": [], "commit": [], "total": [], "statements": []}
        try:
            for _ in range(STEPS):
                for i, (task_id, element_id) in enumerate(open_tasks):
                    statements = 0
                    counted = i >= warmup
                    with db.sessions() as session:
                        if profiler is not None and counted:
                            profiler.enable()
                        t0 = perf_counter()
                        view = engine.complete(session, task_id, user, fixtures.form_data(element_id))
                        t1 = perf_counter()
                        session.commit()
                        t2 = perf_counter()
                        if profiler is not None and counted:
                            profiler.disable()
                    if counted:
                        for key, value in (("complete", t1 - t0), ("commit", t2 - t1), ("total", t2 - t0),
                                           ("statements", statements)):
                            times[key].append(value)
                    open_tasks[i] = ((view.open_tasks[0].id, view.open_tasks[0].element_id) if view.open_tasks
                                     else (0, ""))
                    self.clock.advance(seconds=1)
        finally:
            event.remove(db.sql_engine, "before_cursor_execute", count)
        assert all(task_id == 0 for task_id, _ in open_tasks), "every case should have ended after five steps"
        return times


def measure(instances: int = 200, warmup: int = 10, postgres_url: str | None = None,
            rounds: int = 10) -> list[StepRow]:
    """The variants are measured in turns, `rounds` times over, so a change in the machine's load
    during the run touches all of them alike and the ratios stay fair; each round's medians are kept
    too, so the table can show how much the ratio moves from round to round."""
    parsed = fixtures.parsed_models()[PROCESS]
    stock = stock_serializer()

    def loads(blob: str) -> BpmnWorkflow:
        return bpmn.loads(blob, parsed)

    variants: dict[str, Callable[[int], dict[str, list[float]]]] = {
        "stock": lambda n: in_memory(parsed, n, stock.deserialize_json, stock.serialize_json),
        "state": lambda n: in_memory(parsed, n, loads, bpmn.dumps),
    }
    labels = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    with contextlib.ExitStack() as stack:
        runs = {"sqlite": EngineRun(stack.enter_context(fixtures.sqlite_database()))}
        if postgres_url:
            runs["postgres"] = EngineRun(stack.enter_context(fixtures.postgres_database(postgres_url)))
        for name, run in runs.items():
            variants[f"engine_{name}"] = run.steps
        for call in variants.values():
            call(warmup)
        results: dict[str, dict[str, list[float]]] = {name: {} for name in variants}
        by_round: dict[str, list[list[float]]] = {name: [] for name in variants}
        per_round = [instances // rounds + (1 if r < instances % rounds else 0) for r in range(rounds)]
        for n in per_round:
            for name, call in variants.items():
                measured = call(n)
                by_round[name].append(measured["total"])
                for key, values in measured.items():
                    results[name].setdefault(key, []).extend(values)

    rows: list[StepRow] = []
    t = results["stock"]
    rows += [_row("stock", "in memory, stock serializer (spec inside the JSON)", t["total"],
                  rounds=by_round["stock"]),
             _row("stock.load", "deserialize_json", t["load"]),
             _row("stock.run", "task.run() + do_engine_steps()", t["run"]),
             _row("stock.save", "serialize_json", t["save"])]
    t = results["state"]
    rows += [_row("state", "in memory, engine.bpmn.state (spec cached, not stored)", t["total"],
                  rounds=by_round["state"]),
             _row("state.load", "state.loads", t["load"]),
             _row("state.run", "task.run() + do_engine_steps()", t["run"]),
             _row("state.save", "state.dumps", t["save"])]
    for name in runs:
        t = results[f"engine_{name}"]
        rows += [_row(f"engine_{name}", f"Engine.complete + commit, {labels[name]}", t["total"],
                      median(t["statements"]), by_round[f"engine_{name}"]),
                 _row(f"engine_{name}.complete", "Engine.complete", t["complete"]),
                 _row(f"engine_{name}.commit", "session.commit()", t["commit"])]
    return rows


def table(rows: list[StepRow]) -> Table:
    by_key = {r.key: r for r in rows}
    stock, cached = by_key["stock"].median_ms, by_key["state"].median_ms
    body = []
    for r in rows:
        whole = not r.is_part
        body.append((("" if whole else "  ") + r.what, r.median_ms, r.p90_ms,
                     f"{r.median_ms / stock:.2f}x" if whole else "",
                     f"{r.median_ms / cached:.2f}x" if whole else "",
                     round(r.statements) if r.statements is not None else ""))
    engine = by_key["engine_sqlite"]
    ratio = engine.median_ms / stock
    samples = by_key["stock"].samples
    t = Table(f"Step cost: one user task of the five-step process ({samples:,} steps = "
              f"{samples // STEPS:,} cases x {STEPS}, per step)",
              ("what", "median ms", "p90 ms", "x stock", "x state", "SQL stmts"), body)
    t.notes.append("x stock / x state: median against the in-memory rows above, measured in this run")
    t.notes.append("engine rows: form validation, permission checks, task rows, audit events included")
    paired = sorted(e / s for e, s in zip(engine.round_medians, by_key["stock"].round_medians))
    if len(paired) > 1:
        t.notes.append(f"SQLite / stock per round ({len(paired)} rounds, each variant in turn): "
                       f"min {paired[0]:.2f}x, median {median(paired):.2f}x, max {paired[-1]:.2f}x")
    t.targets.append(Target(f"Engine.complete + commit on SQLite within {TARGET_RATIO:g}x the in-memory step",
                            ratio <= TARGET_RATIO,
                            f"{engine.median_ms:.2f} ms vs {stock:.2f} ms = {ratio:.2f}x"))
    return t


def profile(instances: int = 100, top: int = 30) -> str:
    """cProfile of the engine's complete command on SQLite, sorted by cumulative time."""
    profiler = cProfile.Profile()
    with fixtures.sqlite_database() as db:
        EngineRun(db).steps(instances, warmup=10, profiler=profiler)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()
