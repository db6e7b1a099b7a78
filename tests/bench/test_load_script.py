"""The load test runs end to end for a few seconds against `opsflow run` on SQLite: locust signs the
demo roles in, cases are started and steps completed, nothing fails, and the check after the run finds
the database consistent — and finds a lost update when one is made. No timing is asserted."""
from importlib.util import find_spec

import pytest
from sqlalchemy import text

from bench import api_cost
from bench.load import consistency, section
from bench.load.harness import Plan, run_shape
from engine.db import make_sql_engine

# not imported here: importing locust monkey-patches the process (gevent); it runs in its own
pytestmark = pytest.mark.skipif(find_spec("locust") is None, reason="locust is not installed (.[bench])")


def test_the_load_script_runs_and_the_check_catches_a_lost_update(tmp_path):
    url = f"sqlite:///{tmp_path / 'load.sqlite'}"
    plan = Plan(seconds=5, cases=20, managers=1, agents=1, supervisors=1)
    outcome = run_shape("single", url, plan)
    assert outcome.completions > 0, outcome.locust_log[-2000:]
    assert outcome.errors == 0, (outcome.status, outcome.locust_log[-2000:])
    assert outcome.problems == [] and outcome.checked_cases >= plan.cases
    assert len(outcome.times["complete (API)"]) >= outcome.completions
    table = section.table([outcome], "SQLite", plan)
    assert "completions/s" in table.render() and "app CPU ms per completion" in table.render()
    assert (outcome.cpu_ms(outcome.app_cpu) or 0) > 0  # the app's CPU while it completed

    sql_engine = make_sql_engine(url)
    with sql_engine.begin() as conn:  # a completion answered 200 whose row went back to open
        conn.execute(text("UPDATE human_task SET state = 'open' WHERE id = :id"),
                     {"id": outcome_task(outcome)})
    sql_engine.dispose()
    _, problems = consistency.check(url, [outcome_task(outcome)])
    assert any("answered 200, but the row is open" in p for p in problems)
    assert any("READY user tasks" in p for p in problems)


def outcome_task(outcome) -> int:
    return outcome.completed_ids[0]


def test_the_api_cost_section_compares_the_request_with_the_command():
    cost = api_cost.measure(instances=2, warmup=1)
    assert cost.samples == 2 * api_cost.STEPS
    assert cost.api_statements == cost.engine_statements + 1  # the token, user and roles: one query
    assert "API complete within 1.5x" in api_cost.table(cost).render()
