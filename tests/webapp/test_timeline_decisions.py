"""The timeline names what was decided at a step and the comment, without opening the entered values."""
from __future__ import annotations

import pytest

from webapp.ui.case_text import decision_line

APPROVAL = {"properties": {
    "store_code": {"type": "string", "title": "门店编码", "readOnly": True},
    "approved": {"type": "boolean", "title": "审批结果",
                 "oneOf": [{"const": True, "title": "通过"}, {"const": False, "title": "驳回"}]},
    "director_comment": {"type": "string", "title": "审批意见"},
}}
FIGURES = {"properties": {"quantity": {"type": "integer", "title": "数量"}}}


@pytest.fixture
def zh(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        yield


def test_decision_and_comment_in_one_line(zh):
    line = decision_line(APPROVAL, {"store_code": "SH001", "approved": False, "director_comment": "预算超标"})
    assert line == "审批结果 驳回 · 审批意见：预算超标"


def test_a_read_only_choice_is_not_the_decision_and_no_comment_is_left_out(zh):
    assert decision_line(APPROVAL, {"store_code": "SH001", "approved": True}) == "审批结果 通过"


def test_a_form_of_figures_has_no_decision_line(zh):
    assert decision_line(FIGURES, {"quantity": 3}) == ""
    assert decision_line(None, {"approved": True}) == ""


def test_the_case_page_shows_the_decision_inline(api, auth, client):
    from tests.webapp.test_api_tasks import INVESTIGATION, only_task, start

    case = start(api)
    task = only_task(case)
    done = api.as_("manager_sh001").post(f"/tasks/{task['id']}/complete", json={"data": INVESTIGATION})
    assert done.status_code == 200
    auth.login("cs_li")
    page = client.get(f"/cases/{case['id']}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<div class="timeline-decision pre-wrap">处理方式 致歉</div>' in page
