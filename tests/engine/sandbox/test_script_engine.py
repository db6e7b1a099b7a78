"""The model-script sandbox: what it refuses, what it stops, what it runs, and how SpiffWorkflow sees it."""
from __future__ import annotations

import math
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from RestrictedPython.Guards import safer_getattr_raise
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.sandbox.functions import add_days, add_hours, duration_days, duration_hours, line_total, sum_of
from engine.sandbox.script_engine import (
    RestrictedEnvironment,
    ScriptLimitError,
    ScriptLimits,
    ScriptPolicyError,
    make_script_engine,
)

CLOCK = datetime(2026, 11, 2, 1, 30, tzinfo=timezone.utc)  # 09:30 on 2 November in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def env() -> RestrictedEnvironment:
    return RestrictedEnvironment(clock=lambda: CLOCK, zone=SHANGHAI)


def run(env: RestrictedEnvironment, script: str, **data: Any) -> dict[str, Any]:
    env.execute(script, data)
    return data


# -- escapes ---------------------------------------------------------------------------------------

ESCAPES = [
    ("import os", "'import' is not allowed"),
    ("from os import path", "'import' is not allowed"),
    ("m = __import__('os')", '"__import__" is an invalid variable name'),
    ("f = open('/etc/passwd')", "'open' is not allowed"),
    ("x = eval('1 + 1')", "Eval calls are not allowed"),
    ("exec('x = 1')", "Exec calls are not allowed"),
    ("c = compile('1', 's', 'eval')", "'compile' is not allowed"),
    ("n = ().__class__.__base__.__subclasses__()", '"__subclasses__" is an invalid attribute name'),
    ("f = lambda: 0\ng = f.__globals__", '"__globals__" is an invalid attribute name'),
    ("d = items.__dict__", '"__dict__" is an invalid attribute name'),
    ("x = int.mro()", "'.mro' is not allowed"),
    ("x = getattr(items, '__class__')", "'getattr' is not allowed"),
    ("setattr(items, 'x', 1)", "'setattr' is not allowed"),
    ("x = '{0.__class__}'.format(items)", "'.format' is not allowed"),
    ("x = str.format('{0.__class__.__base__}', items)", "'.format' is not allowed"),
    ("x = '{0.__class__}'.format_map({})", "'.format_map' is not allowed"),
    ("t = type(items)", "'type' is not allowed"),
    ("g = globals()", "'globals' is not allowed"),
    ("v = vars()", "'vars' is not allowed"),
    ("o = object()", "'object' is not allowed"),
    ("g = (i for i in items)\nframe = g.gi_frame", '"gi_frame" is a restricted name'),
    ("class A:\n    pass", "class definitions are not allowed"),
    ("breakpoint()", '"breakpoint" is a reserved name'),
    ("x = datetime.now()", "use now() or today()"),
    ("x = date.today()", "use now() or today()"),
]


@pytest.mark.parametrize(("script", "message"), ESCAPES, ids=[s for s, _ in ESCAPES])
def test_escape_attempts_are_refused_with_a_message_naming_the_problem(env, script, message):
    with pytest.raises(ScriptPolicyError, match=re.escape(message)):
        env.execute(script, {"items": [1, 2, 3]})


@pytest.mark.parametrize("expression", ["__import__('os')", "().__class__", "open('x')", "type(1)"])
def test_expressions_get_the_same_policy_as_scripts(env, expression):
    with pytest.raises(ScriptPolicyError):
        env.evaluate(expression, {})


def test_restricted_python_itself_refuses_str_format():
    """We refuse `.format` at compile time; RestrictedPython's own guard is the second line."""
    with pytest.raises(NotImplementedError, match="format"):
        safer_getattr_raise("{0.__class__}", "format")
    with pytest.raises(NotImplementedError, match="format"):
        safer_getattr_raise(str, "format_map")


def test_refusals_are_permission_errors_and_real_syntax_errors_keep_their_line(env):
    with pytest.raises(PermissionError, match="Line 2: 'import'") as refused:
        env.execute("x = 1\nimport os", {})
    assert not isinstance(refused.value, SyntaxError)  # RestrictedPython's would have lineno None
    with pytest.raises(SyntaxError) as broken:
        env.execute("x = 1\ny = (", {})
    assert broken.value.lineno == 2


# -- resource attacks ------------------------------------------------------------------------------

ATTACKS = [
    ("while True:\n    pass", "loop passes"),
    ("for i in range(10**9):\n    pass", "range()"),
    ("x = 10**10**10", "a power"),
    ("s = 'a' * 10**10", "repeated sequence"),
    ("s = 10**10 * 'a'", "repeated sequence"),
    ("s = [0] * 10**9", "repeated sequence"),
    ("x = 1 << 10**9", "shifted number"),
    ("x = 3\nwhile True:\n    x = x * x", "a product"),
    ("s = 'a'\nwhile True:\n    s = s + s", "concatenation"),
    ("s = 'a'\nwhile True:\n    s += s", "concatenation"),
    ("s = 'ab'\nwhile True:\n    s = f'{s}{s}'", "string or unpacked sequence"),
    ("x = [1]\nwhile True:\n    x = [*x, *x]", "string or unpacked sequence"),
    ("x = [1]\nwhile True:\n    x.extend(x)", "a list"),
    ("x = [1]\nwhile True:\n    x[:0] = x", "a list"),
    ("x = 'a'.ljust(10**9)", "ljust()"),
    ("x = str.center('a', 10**9)", "center()"),
    ("x = '%0999999999d' % 1", "formatted field"),
    ("x = f'{1:>999999999}'", "formatted field"),
    ("x = ','.join(['a' * 100000] * 100000)", "joined string"),
    ("x = ('a' * 1000).replace('a', 'b' * 100000)", "replaced string"),
    ("out = []\nfor i in range(10000):\n    out.append('x' * 999999 + str(i))", "built more than"),
    ("def f(n):\n    return f(n + 1) + f(n + 1) if n < 60 else 0\nx = f(0)", "loop passes"),
    ("f = lambda g, n: 0 if n == 0 else g(g, n - 1) + g(g, n - 1)\nx = f(f, 60)", "loop passes"),
    ("try:\n    while True:\n        pass\nexcept Exception:\n    pass\nwhile True:\n    pass",
     "loop passes"),
]


@pytest.mark.parametrize(("script", "message"), ATTACKS, ids=[s for s, _ in ATTACKS])
def test_resource_attacks_end_quickly_with_an_error(env, script, message):
    started = time.perf_counter()
    with pytest.raises(ScriptLimitError, match=re.escape(message)):
        env.execute(script, {})
    assert time.perf_counter() - started < 2


def test_builtins_that_loop_in_c_are_stopped_by_the_time_budget():
    env = RestrictedEnvironment(clock=lambda: CLOCK, limits=ScriptLimits(seconds=0.2))
    started = time.perf_counter()
    with pytest.raises(ScriptLimitError, match="running for 0.2 s"):
        env.execute("rows = [list(range(10000))] * 100000\ntotals = list(map(sum, rows))", {})
    assert time.perf_counter() - started < 2


def test_budgets_are_per_run(env):
    script = "n = 0\nfor i in range(10000):\n    n += 1"
    for _ in range(20):  # 200 000 passes in all, 10 000 per run
        assert run(env, script)["n"] == 10000


# -- scripts that must work ------------------------------------------------------------------------

def test_arithmetic_and_control_flow(env):
    data = run(env, "x = (a + b) * 2 / 4\ny = a // b\nz = a % b\nw = 2 ** 10\n"
                    "n = 0\nwhile n < 1000:\n    n += 1\nbig = 10 ** 100 > a", a=7, b=2)
    assert [data[k] for k in ("x", "y", "z", "w", "n", "big")] == [4.5, 3, 1, 1024, 1000, True]


def test_comprehensions_and_building_data(env):
    script = """
doubled = [x * 2 for x in items if x > 1]
by_name = {row["name"]: row["qty"] for row in rows}
names = sorted({row["name"] for row in rows}, key=lambda n: -len(n))
total = sum(row["qty"] for row in rows)
summary = {"count": len(rows), "first": rows[0]["name"], "tags": ["a", "b"]}
summary["tags"].append("c")
pairs = []
for name, qty in by_name.items():
    pairs.append(f"{name}={qty:>3}")
label = ", ".join(pairs) + "!"
first, *rest = items
"""
    rows = [{"name": "tee", "qty": 2}, {"name": "jeans", "qty": 5}]
    data = run(env, script, items=[1, 2, 3], rows=rows)
    assert {k: v for k, v in data.items() if k not in ("items", "rows", "pairs", "name", "qty")} == {
        "doubled": [4, 6], "by_name": {"tee": 2, "jeans": 5}, "names": ["jeans", "tee"], "total": 7,
        "summary": {"count": 2, "first": "tee", "tags": ["a", "b", "c"]}, "label": "tee=  2, jeans=  5!",
        "first": 1, "rest": [2, 3]}


def test_date_helpers_read_the_injected_clock_in_shanghai(env):
    data = run(env, """
stamp = now()
day = today()
opening_check = add_days(planned_opening_date, 7)
reply_by = add_hours(stamp, 24)
sla = duration_hours(24)
review = duration_days(14)
due = date(2026, 12, 1) + timedelta(days=30)
later = datetime.fromisoformat(opening_check) + timedelta(hours=2)
late = add_days(today(), 1) > planned_opening_date
""", planned_opening_date="2026-12-01")
    assert data == {
        "planned_opening_date": "2026-12-01", "stamp": "2026-11-02T09:30:00+08:00", "day": "2026-11-02",
        "opening_check": "2026-12-08T00:00:00+08:00", "reply_by": "2026-11-03T09:30:00+08:00",
        "sla": "PT24H", "review": "P14D", "late": False,
        "due": "2026-12-31", "later": "2026-12-08T02:00:00+08:00"}  # dates reach task data as ISO strings


def test_line_total_over_line_items(env):
    items = [{"sku": "T1", "quantity": 3, "unit_price": 19.99},
             {"sku": "J2", "quantity": 2, "unit_price": "120.5"},
             {"sku": "X", "quantity": None, "unit_price": 99},
             {"sku": "Y", "unit_price": 5}]
    script = "total = line_total(items)\nn = sum_of(items, 'quantity')\nother = line_total(rows, 'n', 'p')"
    data = run(env, script, items=items, rows=[{"n": 1, "p": 0.125}])
    assert data["total"] == 300.97
    assert data["n"] == 5
    assert data["other"] == 0.13  # half-up, in decimal


def test_only_plain_data_is_written_back_and_del_deletes(env):
    data = {"scratch": [1, 2], "items": [1], "_internal": "x"}
    env.execute("del scratch\ntemp = 5\ndel temp\ndouble = lambda v: v * 2\ngen = (i for i in items)\n"
                "result = double(3)\nprint('ignored')", data)
    assert data == {"items": [1], "_internal": "x", "result": 6}
    with pytest.raises(TypeError, match="'items' cannot be stored in task data"):
        env.execute("items = (i for i in items)", data)  # silently keeping [1] would hide the mistake


def test_helper_names_are_not_data_names(env):
    with pytest.raises(ScriptPolicyError, match="cannot assign to now"):
        env.execute("now = 'today'", {})
    with pytest.raises(ValueError, match=r"\['today'\]"):
        env.execute("x = today()", {"today": "Monday"})
    data = {"today": "Monday", "n": 1}
    env.execute("n = n + 1", data)  # the helper is not used: no error, and the field is left alone
    assert data == {"today": "Monday", "n": 2}
    assert env.evaluate('type == "product_quality"', {"type": "product_quality"})  # builtins: like Python


def test_extra_globals_are_available_and_guard_names_are_refused():
    env = RestrictedEnvironment({"gcd": math.gcd, "region": "east"}, clock=lambda: CLOCK)
    assert env.evaluate("gcd(12, 18)", {}) == 6  # a site function, imported by name in the worker
    assert run(env, "x = gcd(4, 6)\ny = region") == {"x": 2, "y": "east"}
    with pytest.raises(ValueError, match="module-level function"):
        RestrictedEnvironment({"store_region": lambda code: "east"})  # a worker could not import it
    with pytest.raises(ValueError, match="_getattr_"):
        RestrictedEnvironment({"_getattr_": getattr})


def test_evaluate_returns_plain_values(env):
    assert env.evaluate("date(2026, 1, 1)", {}) == "2026-01-01"
    assert env.evaluate("duration_days(2)", {}) == "P2D"
    assert env.evaluate("timedelta(hours=36)", {}) == "P1DT12H"


# -- helpers on their own --------------------------------------------------------------------------

def test_helpers_accept_iso_strings_in_any_zone():
    assert add_days("2026-12-01T16:00:00Z", 1, SHANGHAI) == "2026-12-03T00:00:00+08:00"
    assert add_days("2026-12-01T10:00:00", -1, SHANGHAI) == "2026-11-30T10:00:00+08:00"  # naive: wall time
    assert add_hours("2026-12-01", 1.5, SHANGHAI) == "2026-12-01T01:30:00+08:00"
    assert duration_hours(1.5) == "PT1.5H"
    assert duration_days("3") == "P3D"
    assert sum_of([{"a": 0.1}, {"a": 0.2}, {"a": None}, {}], "a") == 0.3
    assert line_total(None) == 0.0
    with pytest.raises(ValueError):
        add_days("next tuesday", 1, SHANGHAI)
    with pytest.raises(ValueError):
        duration_hours(-1)
    with pytest.raises(TypeError):
        line_total([{"quantity": "two", "unit_price": 1}])


# -- inside a real BpmnWorkflow --------------------------------------------------------------------

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="x">
  <bpmn:process id="{process}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="{first}" />
    {body}
  </bpmn:process>
</bpmn:definitions>"""

DECIDE_BODY = """
    <bpmn:businessRuleTask id="classify" name="分级">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>complaint_severity</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f1" sourceRef="classify" targetRef="calc" />
    <bpmn:scriptTask id="calc" name="计算金额">
      <bpmn:script>total_amount = line_total(items)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="review" />
    <bpmn:userTask id="review" name="审核" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="approved_gw" />
    <bpmn:exclusiveGateway id="approved_gw" default="f_rejected" />
    <bpmn:sequenceFlow id="f_approved" sourceRef="approved_gw" targetRef="amount_gw">
      <bpmn:conditionExpression>approved == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_rejected" sourceRef="approved_gw" targetRef="end_rejected" />
    <bpmn:exclusiveGateway id="amount_gw" default="f_small" />
    <bpmn:sequenceFlow id="f_big" sourceRef="amount_gw" targetRef="end_director">
      <bpmn:conditionExpression>total_amount &gt; 20000</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_small" sourceRef="amount_gw" targetRef="end_approved" />
    <bpmn:endEvent id="end_rejected" /><bpmn:endEvent id="end_director" /><bpmn:endEvent id="end_approved" />
"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn" name="DRD" namespace="x">
  <decision id="complaint_severity" name="Severity">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="i_type"><inputExpression id="e_type"><text>complaint_type</text></inputExpression></input>
      <input id="i_amount"><inputExpression id="e_amount"><text>claim_amount</text></inputExpression></input>
      <output id="o_sev" name="severity" />
      <output id="o_sla" name="sla_hours" />
      <output id="o_esc" name="escalate" />
      {rules}
    </decisionTable>
  </decision>
</definitions>"""

RULES = [('"product_quality"', "&gt;= 20000", '"major"', "24", "True"),
         ("-", "&lt; 500", '"minor"', "72", "False"),
         ("", "500 &lt;= ? &lt; 20000", '"normal"', "48", "False")]  # `?` goes through external_context


def parse(tmp_path: Path, process: str, first: str, body: str, dmn: str | None = None) -> SpiffBpmnParser:
    parser = SpiffBpmnParser()
    bpmn_file = tmp_path / f"{process}.bpmn"
    bpmn_file.write_text(BPMN.format(process=process, first=first, body=body), encoding="utf-8")
    parser.add_bpmn_file(str(bpmn_file))
    if dmn is not None:
        dmn_file = tmp_path / "complaint_severity.dmn"
        dmn_file.write_text(dmn, encoding="utf-8")
        parser.add_dmn_file(str(dmn_file))
    return parser


def start(parser: SpiffBpmnParser, process: str, **data: Any) -> BpmnWorkflow:
    workflow = BpmnWorkflow(parser.get_spec(process), script_engine=make_script_engine(clock=lambda: CLOCK,
                                                                                       zone=SHANGHAI))
    workflow.get_next_task(state=TaskState.READY).data.update(data)
    workflow.do_engine_steps()
    return workflow


def dmn_rules() -> str:
    tags = ["inputEntry"] * 2 + ["outputEntry"] * 3
    cells = [[f'<{tag} id="r{n}c{k}"><text>{text}</text></{tag}>'
              for k, (tag, text) in enumerate(zip(tags, rule))] for n, rule in enumerate(RULES)]
    return "".join(f'<rule id="r{n}">{"".join(row)}</rule>' for n, row in enumerate(cells))


@pytest.mark.parametrize(("data", "decision", "approved", "end"), [
    ({"complaint_type": "product_quality", "claim_amount": 25000,
      "items": [{"quantity": 2, "unit_price": 15000}]},
     ("major", 24, True), True, "end_director"),
    ({"complaint_type": "service", "claim_amount": 100, "items": [{"quantity": 1, "unit_price": 99.5}]},
     ("minor", 72, False), True, "end_approved"),
    ({"complaint_type": "product_quality", "claim_amount": 800, "items": []},
     ("normal", 48, False), False, "end_rejected"),
])
def test_dmn_cells_and_gateway_conditions_run_through_the_sandbox(tmp_path, data, decision, approved, end):
    parser = parse(tmp_path, "complaint", "classify", DECIDE_BODY, DMN.format(rules=dmn_rules()))
    workflow = start(parser, "complaint", **data)
    [review] = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert (review.data["severity"], review.data["sla_hours"], review.data["escalate"]) == decision
    review.data["approved"] = approved
    review.run()
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert end in [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED)]



def test_validate_answers_as_the_python_parser_does_each_time():
    """DMN asks `validate` of every cell at every evaluation (is it an expression, or a comparison's
    right side?); the answer is kept, and a kept refusal is still a SyntaxError of its own each time."""
    engine = make_script_engine()
    for text in ("'gold'", "claim_amount > 5000", "5000", "[1, 2]"):
        engine.validate(text)
        engine.validate(text)
    errors = []
    for _ in range(2):
        with pytest.raises(SyntaxError) as caught:
            engine.validate("> 5000")
        errors.append(caught.value)
    assert errors[0] is not errors[1]
    assert (errors[1].msg, errors[1].lineno) == (errors[0].msg, errors[0].lineno) == ("invalid syntax", 1)

TIMER_BODY = """
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="f1" sourceRef="split" targetRef="opening_check" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="sla" />
    <bpmn:intermediateCatchEvent id="opening_check">
      <bpmn:timerEventDefinition>
        <bpmn:timeDate>add_days(planned_opening_date, 7)</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="sla">
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration>duration_hours(sla_hours)</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="opening_check" targetRef="end_a" />
    <bpmn:sequenceFlow id="f4" sourceRef="sla" targetRef="end_b" />
    <bpmn:endEvent id="end_a" /><bpmn:endEvent id="end_b" />
"""


def test_timer_expressions_evaluate_through_the_sandbox(tmp_path):
    parser = parse(tmp_path, "timers", "split", TIMER_BODY)
    before = datetime.now(timezone.utc)
    workflow = start(parser, "timers", planned_opening_date="2026-12-01", sla_hours=24)
    values = sorted(event.value for event in workflow.waiting_events())
    assert "2026-12-08T00:00:00+08:00" in values  # timeDate: the helper's ISO string, kept as is
    [duration_due] = [v for v in values if v != "2026-12-08T00:00:00+08:00"]
    # SpiffWorkflow adds a duration to its own clock, not to the script engine's
    due = datetime.fromisoformat(duration_due) - timedelta(hours=24)
    assert before - timedelta(minutes=1) <= due <= datetime.now(timezone.utc) + timedelta(minutes=1)


def test_a_failing_timer_expression_says_why(tmp_path):
    parser = parse(tmp_path, "timers", "split", TIMER_BODY)
    with pytest.raises(WorkflowTaskException, match="NameError: name 'sla_hours' is not defined"):
        start(parser, "timers", planned_opening_date="2026-12-01")


SCRIPT_BODY = """
    <bpmn:scriptTask id="calc" name="计算金额"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="calc" targetRef="end" />
    <bpmn:endEvent id="end" />
"""


@pytest.mark.parametrize(("script", "error", "line"), [
    ("total = 1\nratio = total / count", "ZeroDivisionError", 2),
    ("total = 1\nimport os", "'import' is not allowed", 0),
    ("while True:\n    pass", "loop passes", 0),
    ("x = {}\ny = x[1]", "KeyError", 2),
    ("x = (", "SyntaxError", 1),
])
def test_a_script_error_in_a_workflow_names_the_task(tmp_path, script, error, line):
    parser = parse(tmp_path, "scripted", "calc", SCRIPT_BODY.format(script=script))
    with pytest.raises(WorkflowTaskException) as caught:
        start(parser, "scripted", count=0)
    exc = caught.value
    assert error in str(exc)
    assert exc.task.task_spec.bpmn_id == "calc"
    assert exc.task.state == TaskState.ERROR
    assert exc.task_trace[0].startswith("计算金额")
    if line:
        assert exc.line_number == line
