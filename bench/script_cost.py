"""What the script sandbox costs: one evaluation, and one step of a process whose every step runs a script.

SpiffWorkflow's stock script engine (`TaskDataEnvironment`: plain `eval`/`exec` in the server, no
limits) is the baseline of the in-memory step; the engine compiles under its policy, runs cost-bounded
code (conditions, DMN cells, `name = expression` scripts) in the server, and everything else in a
worker process: a round trip over a pipe, data as JSON both ways. The step rows put the engine's
complete command (SQLite) against the in-memory SpiffWorkflow step for a five-step process with a
worker-bound script after each user task, so that the price of isolation shows where it is paid.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from time import perf_counter
from typing import Any, Callable

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
from SpiffWorkflow.util.task import TaskState

from engine import Engine, FrozenClock
from engine.bpmn import collect_directory, deploy_directory, parse_process
from engine.directory import RoleSpec
from engine.sandbox import RestrictedEnvironment, make_helpers

from . import fixtures
from .report import Table, median, percentile
from .steps import stock_serializer

PROCESS = "five_scripted_steps"
ITEMS = [{"sku": f"T{i}", "name": "衬衫", "quantity": i % 5 + 1, "unit_price": 99.5} for i in range(10)]
CODE = {  # what is evaluated: (label, mode, source)
    "condition": ("a gateway condition / DMN cell", "eval", 'amount >= 1000 and category == "service"'),
    "inline": ("a name = expression script", "exec", "total = line_total(items)\ncount = len(items)"),
    "worker": ("a script with a loop (worker)", "exec",
               'lines = [{"sku": r["sku"], "total": r["quantity"] * r["unit_price"]} for r in items]'),
}
STEP_SCRIPT = 'lines = [{"sku": r["sku"], "n": r["quantity"]} for r in items]'


def _model() -> str:
    """Five user tasks, each followed by a script task whose script needs a worker."""
    steps, flows = [], ['<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="step_1" />']
    for n in range(1, 6):
        after = f"step_{n + 1}" if n < 5 else "end"
        steps.append(
            f'<bpmn:userTask id="step_{n}" name="步骤{n}"><bpmn:extensionElements><spiffworkflow:properties>'
            f'<spiffworkflow:property name="formJsonSchemaFilename" value="step_{n}.json" />'
            f'</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>'
            f'<bpmn:scriptTask id="script_{n}" name="汇总{n}">'
            f'<bpmn:script>{STEP_SCRIPT}</bpmn:script></bpmn:scriptTask>')
        flows.append(f'<bpmn:sequenceFlow id="f{n}a" sourceRef="step_{n}" targetRef="script_{n}" />'
                     f'<bpmn:sequenceFlow id="f{n}b" sourceRef="script_{n}" targetRef="{after}" />')
    refs = "".join(f"<bpmn:flowNodeRef>{e}</bpmn:flowNodeRef>" for e in
                   ["start", "end"] + [f"{k}_{n}" for n in range(1, 6) for k in ("step", "script")])
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
            f'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            f'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">'
            f'<bpmn:process id="{PROCESS}" name="五步带脚本（基准）" isExecutable="true">'
            f'<bpmn:laneSet id="ls">'
            f'<bpmn:lane id="lane_cs_agent" name="cs_agent">{refs}</bpmn:lane></bpmn:laneSet>'
            f'<bpmn:startEvent id="start" />{"".join(steps)}{"".join(flows)}<bpmn:endEvent id="end" />'
            f'</bpmn:process></bpmn:definitions>')


def _per_call(call: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = perf_counter()
        call()
        times.append(perf_counter() - t0)
    return times


def evaluations(runs: int) -> list[tuple[str, str, float, float]]:
    """(what, how, median µs, p90 µs) for each kind of code, stock engine and ours in turns."""
    clock = FrozenClock()
    stock, ours = TaskDataEnvironment(make_helpers(clock)), RestrictedEnvironment(clock=clock)
    rows = []
    for label, mode, source in CODE.values():
        data = {"amount": 1200, "category": "service", "items": ITEMS}

        def run(env: Any) -> Callable[[], Any]:
            if mode == "eval":
                return lambda: env.evaluate(source, dict(data))
            return lambda: env.execute(source, dict(data), {})
        run(ours)()  # compile, start the worker
        times: dict[str, list[float]] = {"stock": [], "ours": []}
        for _ in range(10):
            times["stock"] += _per_call(run(stock), runs // 10)
            times["ours"] += _per_call(run(ours), runs // 10)
        for how, key in (("SpiffWorkflow stock (plain eval/exec)", "stock"), ("OpsFlow sandbox", "ours")):
            us = [t * 1e6 for t in times[key]]
            rows.append((label, how, median(us), percentile(us, 90)))
    return rows


def steps(instances: int) -> tuple[list[float], list[float]]:
    """Per-step seconds: in memory with the stock serializer and script engine; Engine.complete +
    commit on SQLite."""
    with tempfile.TemporaryDirectory(prefix="opsflow-bench-scripts-") as folder:
        path = Path(folder)
        (path / f"{PROCESS}.bpmn").write_text(_model(), "utf-8")
        for n in range(1, 6):
            form = (fixtures.MODELS / f"step_{n}.json").read_text("utf-8")
            (path / f"step_{n}.json").write_text(form, "utf-8")
        parsed = parse_process(PROCESS, collect_directory(path)[PROCESS])
        serializer = stock_serializer()
        stock_engine = PythonScriptEngine(TaskDataEnvironment(make_helpers(FrozenClock())))
        memory: list[float] = []
        for _ in range(instances):
            workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=stock_engine)
            workflow.get_next_task(state=TaskState.READY).data.update(items=ITEMS, started_by="bench")
            workflow.do_engine_steps()
            blob = serializer.serialize_json(workflow)
            for _ in range(5):
                t0 = perf_counter()
                workflow = serializer.deserialize_json(blob)
                workflow.script_engine = stock_engine
                task = workflow.get_next_task(state=TaskState.READY, manual=True)
                task.data.update(fixtures.form_data(task.task_spec.bpmn_id))
                task.run()
                workflow.do_engine_steps()
                blob = serializer.serialize_json(workflow)
                memory.append(perf_counter() - t0)
        engine_times: list[float] = []
        with fixtures.sqlite_database() as db:
            clock = FrozenClock()
            engine = Engine(clock=clock)
            with db.sessions() as session:
                deploy_directory(session, path, now=clock())
                user = fixtures.make_user(session, "bench_scripts", [RoleSpec("cs_agent")], clock())
                open_tasks = [engine.start(session, PROCESS, user, {"items": ITEMS}).open_tasks[0]
                              for _ in range(instances)]
                session.commit()
            for _ in range(5):
                for i, task in enumerate(open_tasks):
                    with db.sessions() as session:
                        t0 = perf_counter()
                        view = engine.complete(session, task.id, user, fixtures.form_data(task.element_id))
                        session.commit()
                        engine_times.append(perf_counter() - t0)
                    open_tasks[i] = view.open_tasks[0] if view.open_tasks else None
                    clock.advance(seconds=1)
    return memory, engine_times


def table(evaluation_rows: list[tuple[str, str, float, float]], memory: list[float],
          engine_times: list[float]) -> Table:
    rows: list[tuple[Any, ...]] = [(what, how, mid, p90) for what, how, mid, p90 in evaluation_rows]
    in_memory, command = median(memory) * 1000, median(engine_times) * 1000
    rows.append(("a step with a worker script", "in memory, SpiffWorkflow stock", in_memory,
                 percentile(memory, 90) * 1000))
    rows.append(("a step with a worker script", "Engine.complete + commit, SQLite", command,
                 percentile(engine_times, 90) * 1000))
    t = Table("Script cost: one evaluation (µs), one step that runs a worker script (ms)",
              ("code", "run by", "median", "p90"), rows)
    t.notes.append(f"a step with a worker script: {command:.2f} ms against {in_memory:.2f} ms in memory "
                   f"= {command / in_memory:.2f}x (the five-step process without scripts: see Step cost)")
    t.notes.append("the worker round trip buys a time and memory limit no script can get around (the "
                   "stock engine runs `str` on 2^60 aliased items in the server for minutes); conditions, "
                   "DMN cells and name = expression scripts stay in the server at about the stock cost")
    return t


def measure(instances: int, runs: int) -> Table:
    return table(evaluations(runs), *steps(instances))
