"""Deploy refusals in the administrator's language (webapp/ui/deploy_text.py)."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from webapp.ui.deploy_text import deploy_error_text


@pytest.fixture
def ctx(app):
    with app.test_request_context("/"):
        yield


@pytest.mark.parametrize("message, chinese", [
    ("choose at least one .bpmn, .dmn or .json file", "请至少选择一个 .bpmn、.dmn 或 .json 文件。"),
    ("a.bpmn: chosen twice", "a.bpmn：重复选择了同一文件。"),
    ("a.bpmn, line 3: not well-formed XML: Opening and ending tag mismatch",
     "a.bpmn 第 3 行：XML 格式不正确（Opening and ending tag mismatch）。"),
    ("p.bpmn, element review: lane 'boss' is not a role (roles: admin, cs_agent)",
     "p.bpmn 元素 review：泳道 boss 不是角色（可用角色：admin, cs_agent）。"),
    ("p.bpmn, element review: form 'review.json' not found among the files chosen",
     "p.bpmn 元素 review：找不到表单 review.json。"),
    ("x.json: not used by p; a form or decision table must be named in the process's model",
     "x.json：p 未使用此文件：表单或决策表必须在流程模型中被引用。"),
    ("t.bpmn, element ship: calls process 'ship_goods', but no ship_goods.bpmn in bpmn defines it and no "
     "such process is deployed",
     "t.bpmn 元素 ship：调用了流程 ship_goods，但没有 ship_goods.bpmn 定义它，也没有已部署的同名流程。"),
    ("t.bpmn, element ship: calls 't', which calls back (t → s → t)",
     "t.bpmn 元素 ship：调用的 t 又调用回来（t → s → t）。"),
    ("t.bpmn, element ship: s.bpmn brings its own a.json, which differs from the a.json of t; rename one",
     "t.bpmn 元素 ship：s.bpmn 自带的 a.json 与 t 的 a.json 不同，请重命名其中一个。"),
    ("p.bpmn, element triage: business rule task names no decision (spiffworkflow:calledDecisionId)",
     "p.bpmn 元素 triage：业务规则任务未指定决策：请选择它使用的决策表。"),
    ("s.bpmn, element pack: a user task of t.bpmn has the same id; a called process's steps need ids of "
     "their own", "s.bpmn 元素 pack：t.bpmn 中有相同 id 的用户任务；被调用流程的步骤需要自己的 id。"),
])
def test_the_engines_refusals_read_in_chinese(ctx, message, chinese):
    assert deploy_error_text(message) == chinese


def test_in_english_and_an_unknown_reason_kept(ctx):
    with force_locale("en"):
        assert deploy_error_text("a.bpmn, line 3: not well-formed XML: bad") == \
            "a.bpmn, line 3: Not well-formed XML (bad)."
    assert deploy_error_text("a.bpmn: something new") == "a.bpmn：something new"


def test_a_place_with_line_and_element(ctx):
    assert deploy_error_text("p.bpmn, line 12, element total: script: 'import' is not allowed") == \
        "p.bpmn 第 12 行 元素 total：脚本：'import' is not allowed"


BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:scriptTask id="calc"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="go" sourceRef="calc" targetRef="calc">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>"""


def _code_refusal(script: str = "x = 1", condition: str = "True") -> str:
    from xml.sax.saxutils import escape

    from engine.bpmn.code_checks import check_model_code
    from engine.bpmn.specs import SourceFile
    from engine.errors import DeployError
    text = BPMN.format(script=escape(script), condition=escape(condition))
    with pytest.raises(DeployError) as refused:
        check_model_code([SourceFile("bpmn", "p.bpmn", text)])
    return str(refused.value)


@pytest.mark.parametrize("script, condition, chinese", [
    ("import os", "True", "p.bpmn 第 4 行 元素 calc：脚本：模型脚本中不允许使用 import。"),
    ("x = eval('1')", "True", "p.bpmn 第 4 行 元素 calc：脚本：模型脚本中不允许使用 eval。"),
    ("x = ().__class__", "True",
     "p.bpmn 第 4 行 元素 calc：脚本：模型脚本中不允许访问属性 __class__（以 _ 开头的名称一律拒绝）。"),
    ("class Box:\n    pass", "True", "p.bpmn 第 4 行 元素 calc：脚本：模型脚本中不允许定义类。"),
    ("now = 1", "True", "p.bpmn 第 4 行 元素 calc：脚本：不能给 now 赋值：这是脚本内置函数的名称。"),
    ("x = 1", "__import__('os')",
     "p.bpmn 第 6 行 元素 go：条件：模型脚本中不允许使用名称 __import__（以 _ 开头的名称一律拒绝）。"),
])
def test_refused_model_code_reads_in_chinese(ctx, script, condition, chinese):
    assert deploy_error_text(_code_refusal(script, condition)) == chinese


def test_a_syntax_error_keeps_pythons_words_inside_chinese(ctx):
    text = deploy_error_text(_code_refusal("x = (1 +"))
    assert text.startswith("p.bpmn 第 4 行 元素 calc：脚本：语法错误（")


@pytest.mark.parametrize("schema, chinese", [
    ({"type": "object", "properties": {"n": {"type": "number"}}, "x-rules": [{"field": "n"}]},
     "x-rules[0] 必须且只能有 at_most 与 at_least 之一。"),
    ({"type": "object", "properties": {"n": {"type": "number", "x-rows": "free"}}},
     "n：x-rows 只能用于列表字段。"),
    ({"type": "object", "x-rules": {}}, "x-rules 必须是规则列表。"),
])
def test_form_refusals_read_in_chinese(ctx, schema, chinese):
    from engine.forms.validation import check_form
    with pytest.raises(ValueError) as refused:
        check_form(schema)
    message = f"review.json (the form of element review in p.bpmn): {refused.value}"
    assert deploy_error_text(message) == f"review.json（p.bpmn 中元素 review 的表单）：{chinese}"


def test_an_approval_step_without_its_loop_reads_in_chinese(ctx):
    message = ("p.bpmn, element ok: approvalMode needs multi-instance loop characteristics (one instance "
               "per approver)")
    assert deploy_error_text(message) == \
        "p.bpmn 元素 ok：approvalMode 需要多实例循环特性（每位审批人一个实例）。"


@pytest.mark.parametrize("message, chinese", [
    ("s.bpmn, element tell_wms: service task uses connector 'ftp', which OpsFlow does not provide "
     "(it provides http, mail)",
     "s.bpmn 元素 tell_wms：服务任务使用的连接器 ftp 不是 OpsFlow 提供的（可用：http, mail）。"),
    ("s.bpmn, element tell_wms: the http connector needs the parameter(s) url",
     "s.bpmn 元素 tell_wms：http 连接器缺少参数 url。"),
    ("s.bpmn, element tell_wms: the mail connector has no parameter(s) cc",
     "s.bpmn 元素 tell_wms：mail 连接器没有参数 cc。"),
])
def test_a_service_task_refusal_reads_in_chinese(ctx, message, chinese):
    assert deploy_error_text(message) == chinese


@pytest.mark.parametrize("message, chinese", [
    ("count.bpmn, element start_count: the timer of a start event must be a quoted ISO text, not 'rule'",
     "count.bpmn 元素 start_count：开始事件的定时器必须是带引号的 ISO 文本，而不是 'rule'。"),
    ("count.bpmn, element start_count: 'R/2026-01-01T02:00:00/P1M' has no UTC offset "
     "(write it as e.g. 2026-01-01T02:00:00+08:00)",
     "count.bpmn 元素 start_count：'R/2026-01-01T02:00:00/P1M' 没有 UTC 时差（请写成例如 "
     "2026-01-01T02:00:00+08:00）。"),
    ("count.bpmn, element start_count: a start event's timer is a timeCycle or a timeDate, "
     "not a timeDuration",
     "count.bpmn 元素 start_count：开始事件的定时器须为 timeCycle 或 timeDate，不能是 timeDuration。"),
])
def test_timer_start_refusals_read_in_chinese(ctx, message, chinese):
    assert deploy_error_text(message) == chinese
