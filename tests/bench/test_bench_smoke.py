"""The benchmark's sections run end to end at tiny sizes and give rows of the expected shape.

No timing is asserted: these tests only keep `make bench` from rotting.
"""
import platform
import subprocess
import sys
from pathlib import Path

from bench import report, script_cost, state_size, steps, tasklist

ROOT = Path(__file__).resolve().parents[2]


def test_step_rows():
    rows = steps.measure(instances=2, warmup=1, rounds=2)
    assert [r.key for r in rows] == [
        "stock", "stock.load", "stock.run", "stock.save",
        "state", "state.load", "state.run", "state.save",
        "engine_sqlite", "engine_sqlite.complete", "engine_sqlite.commit"]
    assert all(r.samples == 2 * steps.STEPS for r in rows)
    assert all(0 < r.median_ms <= r.p90_ms for r in rows)
    assert rows[8].statements > 0 and rows[0].statements is None
    table = steps.table(rows)
    assert [t.met in (True, False) for t in table.targets] == [True]
    assert "Engine.complete + commit, SQLite" in table.render()


def test_task_list_rows():
    rows = tasklist.measure(sizes=(50, 120), runs=2)
    queries = (*tasklist.SCOPES, "counts")
    assert [(r.database, r.open_tasks, r.query) for r in rows] == [
        ("SQLite", n, q) for n in (50, 120) for q in queries]
    found = {"mine": tasklist.ASSIGNED, "claimable": tasklist.CLAIMABLE,
             "todo": tasklist.ASSIGNED + tasklist.CLAIMABLE, "counts": tasklist.ASSIGNED + tasklist.CLAIMABLE}
    assert all(r.found == found[r.query] for r in rows)
    assert all(r.ratio == 1.0 for r in rows if r.open_tasks == 50)
    assert all(0 < r.median_ms <= r.p90_ms for r in rows)
    table = tasklist.table(rows)
    assert len(table.targets) == 2 and "120" in table.render()


def test_state_size_rows():
    rows = state_size.measure(instances=1)
    assert [(r.process, r.steps, r.status) for r in rows] == [
        ("five_steps", 5, "completed"), ("five_steps_loop", 5, "running"),
        ("five_steps_loop", 50, "completed")]
    assert all(0 < r.state_gzip_bytes < r.state_bytes < r.stock_bytes for r in rows)
    assert rows[2].state_bytes > rows[1].state_bytes and rows[2].tasks > rows[1].tasks
    assert all(r.complete_ms > 0 and r.in_memory_ms > 0 for r in rows)
    assert "growth in the loop" in state_size.table(rows).render()


def test_script_cost_rows():
    table = script_cost.measure(instances=2, runs=20)
    rendered = table.render()
    assert [row[:2] for row in table.rows[-2:]] == [
        ("a step with a worker script", "in memory, SpiffWorkflow stock"),
        ("a step with a worker script", "Engine.complete + commit, SQLite")]
    assert len(table.rows) == 2 * len(script_cost.CODE) + 2
    assert all(row[2] > 0 for row in table.rows)
    assert "OpsFlow sandbox" in rendered and "x (the five-step process without scripts" in rendered


def test_table_alignment():
    table = report.Table("T", ("name", "ms", "ratio"), [("a", 1.5, "1.00x"), ("longer", 12.25, "")])
    lines = table.render().splitlines()
    assert lines[:2] == ["T", "="]
    assert lines[2] == "name      ms  ratio"
    assert lines[4] == "a       1.50  1.00x"
    assert lines[5] == "longer  12.2"  # trailing blanks stripped
    assert report.percentile(list(range(1, 11)), 90) == 9


def test_the_machine_table_names_the_interpreter_build():
    """Figures from two interpreter builds differ by 5-11% of the app's CPU: the table says which ran."""
    linked = "shared" if "libpython" in Path("/proc/self/maps").read_text() else "built in"
    rows = dict(report.machine().rows)
    executable = Path(sys.executable).resolve()
    assert rows["python"] == f"{platform.python_version()} ({executable}, libpython {linked})"


def test_the_load_after_is_named_for_when_it_was_read():
    """The load test keeps both cores busy itself: the load read before it says whether others did."""
    table = report.machine(None, (0.1, 0.2), (0.3, 0.4), "before the load test")
    rows = dict(table.rows)
    assert rows["load average, start"] == "0.10 (1 min), 0.20 (5 min)"
    assert rows["load average, before the load test"] == "0.30 (1 min), 0.40 (5 min)"
    assert not table.notes
    assert any("busy" in note for note in report.machine(None, (0.1, 0.2), (1000.0, 900.0)).notes)


def test_run_py_starts():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--help"],
                          capture_output=True, text=True, check=True)
    assert "--quick" in done.stdout
