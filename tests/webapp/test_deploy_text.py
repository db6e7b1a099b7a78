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
        "p.bpmn 第 12 行 元素 total：script: 'import' is not allowed"
