"""Serialized state per instance after 5 and after 50 completed steps.

Cases are driven through the engine's commands on SQLite, so the state holds exactly what the engine
stores (form data, `completed_by`, the loop counter). The stored `process_instance.state` is what
`engine.bpmn.state.dumps` writes (no spec); beside it the same workflow through SpiffWorkflow's stock
`serialize_json`, which embeds the spec, as a library user without the engine would store it.
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass
from time import perf_counter

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState

from engine import Engine, FrozenClock, bpmn
from engine.directory import RoleSpec
from engine.models import ProcessInstance

from . import fixtures
from .report import Table, median
from .steps import stock_serializer

CHECKPOINTS = {"five_steps": (5,), "five_steps_loop": (5, 50)}


@dataclass(frozen=True)
class SizeRow:
    process: str
    steps: int              # user tasks completed so far
    status: str             # of the case at that point
    tasks: int              # tasks in SpiffWorkflow's tree
    state_bytes: int        # engine.bpmn.state.dumps: what process_instance.state holds
    state_gzip_bytes: int
    stock_bytes: int        # stock serialize_json, spec embedded
    complete_ms: float      # Engine.complete + commit of that step (median over the cases)
    in_memory_ms: float     # the same step in memory with the stock serializer, from the same state


def measure(instances: int = 10) -> list[SizeRow]:
    rows = []
    stock = stock_serializer()
    with fixtures.sqlite_database() as db:
        clock = FrozenClock()
        engine = Engine(clock=clock)
        with db.sessions() as session:
            fixtures.deploy_models(session, clock())
            user = fixtures.make_user(session, "bench_cs", [RoleSpec("cs_agent"), RoleSpec("cs_manager")],
                                      clock())
            session.commit()
        for process, checkpoints in CHECKPOINTS.items():
            seen: dict[int, list[tuple[SizeRow, float, float]]] = {n: [] for n in checkpoints}
            for _ in range(instances):
                with db.sessions() as session:
                    view = engine.start(session, process, user, {})
                    session.commit()
                for step in range(1, max(checkpoints) + 1):
                    [task] = view.open_tasks
                    if step in seen:
                        before = _stock_blob(db, engine, stock, view.id)
                    with db.sessions() as session:
                        t0 = perf_counter()
                        view = engine.complete(session, task.id, user, fixtures.form_data(task.element_id))
                        session.commit()
                        elapsed = (perf_counter() - t0) * 1000
                    clock.advance(minutes=1)
                    if step in seen:
                        seen[step].append((_snapshot(db, engine, stock, process, view.id, step), elapsed,
                                           _in_memory_step(stock, before, task.element_id)))
            for step, samples in seen.items():
                first = samples[0][0]
                rows.append(SizeRow(**{**first.__dict__, "complete_ms": median([s[1] for s in samples]),
                                       "in_memory_ms": median([s[2] for s in samples])}))
    return rows


def _stock_blob(db: fixtures.Database, engine: Engine, stock: BpmnWorkflowSerializer,
                instance_id: int) -> str:
    """The stored case as the stock serializer would have stored it."""
    with db.sessions() as session:
        instance = session.get(ProcessInstance, instance_id)
        return stock.serialize_json(bpmn.loads(instance.state, engine.process(session, instance.version_id)))


def _in_memory_step(stock: BpmnWorkflowSerializer, blob: str, element_id: str) -> float:
    """ms of deserialize_json, run the READY user task, do_engine_steps, serialize_json (median of 3)."""
    samples = []
    for _ in range(3):
        t0 = perf_counter()
        workflow = stock.deserialize_json(blob)
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        assert task.task_spec.bpmn_id == element_id
        task.data.update(fixtures.form_data(element_id))
        task.run()
        workflow.do_engine_steps()
        stock.serialize_json(workflow)
        samples.append((perf_counter() - t0) * 1000)
    return median(samples)


def _snapshot(db: fixtures.Database, engine: Engine, stock: BpmnWorkflowSerializer, process: str,
              instance_id: int, step: int) -> SizeRow:
    with db.sessions() as session:
        instance = session.get(ProcessInstance, instance_id)
        stored = instance.state
        workflow = bpmn.loads(stored, engine.process(session, instance.version_id))
        status = instance.status
    raw = stored.encode("utf-8")
    return SizeRow(process=process, steps=step, status=status, tasks=len(workflow.get_tasks()),
                   state_bytes=len(raw), state_gzip_bytes=len(gzip.compress(raw)),
                   stock_bytes=len(stock.serialize_json(workflow).encode("utf-8")), complete_ms=0.0,
                   in_memory_ms=0.0)


def table(rows: list[SizeRow]) -> Table:
    body = [(r.process, r.steps, r.status, r.tasks, r.state_bytes, r.state_gzip_bytes, r.stock_bytes,
             f"{r.state_bytes / r.stock_bytes:.0%}", r.in_memory_ms, r.complete_ms,
             f"{r.complete_ms / r.in_memory_ms:.1f}x") for r in rows]
    t = Table("Serialized state per instance",
              ("process", "steps done", "case", "spiff tasks", "state B", "state gz B", "stock B",
               "state/stock", "in-mem ms", "engine ms", "engine/in-mem"), body)
    t.notes.append("state B = engine.bpmn.state.dumps (process_instance.state, no spec); stock B = stock "
                   "serialize_json with the spec embedded; gz = gzip of the state, for scale")
    t.notes.append("engine ms = Engine.complete + commit of step N on SQLite; in-mem ms = the same step from "
                   "the same state in memory (stock deserialize_json, run, do_engine_steps, serialize_json, "
                   "median of 3); medians over the cases")
    loop = {r.steps: r for r in rows if r.process == "five_steps_loop"}
    if 5 in loop and 50 in loop:
        grow = (loop[50].state_bytes - loop[5].state_bytes) / 45
        t.notes.append(f"growth in the loop: {grow:,.0f} B of state per completed step between step 5 and 50")
    return t
