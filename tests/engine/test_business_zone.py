"""The business time zone is the engine's to be given: model scripts (in the server and in their
worker processes), timers and form rules read dates in it, and an engine given none reads UTC."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from engine import Engine
from engine.errors import InvalidData
from engine.forms import validation as forms
from engine.models import ProcessInstance
from engine.sandbox.compiler import compile_code
from engine.sandbox.script_engine import RestrictedEnvironment

NOW = datetime(2026, 11, 2, 1, 30, tzinfo=timezone.utc)  # 09:30 on 2 November in Shanghai, the 1st in LA
SHANGHAI, LOS_ANGELES = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/Los_Angeles")
SCRIPT = "day = today()\nstamp = now()\nweek = add_days(day, 7)"
IN_A_WORKER = "for n in range(1):\n    day = today()\n    stamp = now()\n    week = add_days(day, 7)"


@pytest.mark.parametrize("script", [SCRIPT, IN_A_WORKER], ids=["inline", "worker"])
@pytest.mark.parametrize("zone, expected", [
    (SHANGHAI, ("2026-11-02", "2026-11-02T09:30:00+08:00", "2026-11-09T00:00:00+08:00")),
    (LOS_ANGELES, ("2026-11-01", "2026-11-01T17:30:00-08:00", "2026-11-08T00:00:00-08:00")),
    (None, ("2026-11-02", "2026-11-02T01:30:00+00:00", "2026-11-09T00:00:00+00:00")),
], ids=["shanghai", "los_angeles", "no_zone"])
def test_script_helpers_read_the_clock_in_the_business_time_zone(script, zone, expected):
    assert compile_code(script, "exec").inline == (script == SCRIPT)  # a loop runs in a worker process
    env = RestrictedEnvironment(clock=lambda: NOW, **({"zone": zone} if zone else {}))
    data: dict = {}
    env.execute(script, data)
    assert (data["day"], data["stamp"], data["week"]) == expected


def test_form_rules_read_today_in_the_business_time_zone():
    schema = {"type": "object", "properties": {"opening": {"type": "string", "format": "date"}},
              "x-rules": [{"field": "opening", "at_least": "today()"}]}
    written = forms.clean(schema, {"opening": "2026-11-01"}, now=NOW, zone=LOS_ANGELES)
    assert written == {"opening": "2026-11-01"}
    with pytest.raises(InvalidData) as refusal:
        forms.clean(schema, {"opening": "2026-11-01"}, now=NOW, zone=SHANGHAI)
    assert refusal.value.fields == {"opening": "must be on or after 2026-11-02"}


def test_an_engine_times_a_case_in_its_zone(session, people, deployed, clock):
    engine = Engine(clock=clock, zone=LOS_ANGELES)
    case = engine.start(session, "follow_up", people["manager_sh001"],
                        {"store_code": "SH001", "visit_date": "2026-11-10", "planned_days": 4})
    session.commit()
    due = datetime(2026, 11, 17, tzinfo=LOS_ANGELES)  # add_days(visit_date, 7): midnight in Los Angeles
    assert session.get(ProcessInstance, case.id).next_timer_at == due
    assert Engine(clock=clock).zone == ZoneInfo("UTC")
