"""A user's command whose model fails, or whose case data would pass the size limit, is refused
naming the BPMN element, and nothing of it is saved."""
import json

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine import Engine, ProcessError
from engine.errors import CaseDataTooLarge
from engine.runtime.case_size import checked_dumps, json_size


def test_a_command_over_the_limit_is_refused_naming_the_element_and_nothing_is_saved(
        session, people, deployed, clock, dump):
    engine = Engine(clock=clock, max_case_bytes=20_000)
    m1 = people["manager_sh001"]
    before = dump(session)
    with pytest.raises(CaseDataTooLarge) as refused:
        engine.start(session, "big_data", m1, {"store_code": "SH001", "width": 25_000, "copies": 1})
    assert (refused.value.element, refused.value.code) == ("pad_start", "case_data_too_large")
    assert "element pad_start (填充备注)" in refused.value.message
    session.rollback()
    assert dump(session) == before

    case = engine.start(session, "big_data", m1, {"store_code": "SH001", "width": 10, "copies": 2})
    session.commit()
    before = dump(session)
    with pytest.raises(CaseDataTooLarge) as refused:
        engine.complete(session, case.open_tasks[0].id, m1, {"pad": 25_000, "divisor": 1})
    assert refused.value.element == "pad_more"
    assert dump(session) == before
    session.rollback()
    assert dump(session) == before


def test_a_script_failure_in_a_users_command_is_refused_naming_the_element(session, people, deployed, dump,
                                                                          engine):
    m1 = people["manager_sh001"]
    case = engine.start(session, "big_data", m1, {"store_code": "SH001", "width": 1, "copies": 1})
    session.commit()
    before = dump(session)
    with pytest.raises(ProcessError) as refused:
        engine.complete(session, case.open_tasks[0].id, m1, {"pad": 1, "divisor": 0})
    error = refused.value
    assert (error.code, error.element, error.element_name, error.error_type, error.reason) == (
        "model_error", "pad_more", "再次填充", "ZeroDivisionError", "division by zero")
    assert error.message == "element pad_more (再次填充): ZeroDivisionError: division by zero"
    session.rollback()
    assert dump(session) == before


def test_aliased_data_that_would_serialize_to_megabytes_is_refused_before_it_is_built(
        session, people, deployed, engine, dump):
    before = dump(session)
    with pytest.raises(ProcessError) as refused:  # 5 MB of JSON from 40 kB of memory; the limit is 2 MB
        engine.start(session, "big_data", people["manager_sh001"],
                     {"store_code": "SH001", "width": 1_000, "copies": 5_000})
    assert refused.value.element == "pad_start"
    session.rollback()
    assert dump(session) == before


@pytest.mark.parametrize("value", [
    {"a": [1, 22, -333, 0, 10 ** 20], "b": "中文", "c": None, "d": True, "e": 1.5, "f": {}, "g": []},
    list(range(1000)), {"x": "y" * 100}, [[0] * 10] * 10])
def test_the_size_walk_never_counts_more_than_the_json_takes(value):
    stored = min(len(json.dumps(value)), len(json.dumps(value, ensure_ascii=False).encode()))
    assert json_size(value, 10 ** 9) <= stored


def test_the_limit_is_on_the_bytes_of_the_stored_text_not_its_characters(send_back_process):
    parsed = send_back_process
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
    workflow.get_next_task(state=TaskState.READY).data.update(store_code="SH001", note="退" * 5_000)
    workflow.do_engine_steps()
    text = checked_dumps(workflow, [], 10 ** 6)
    characters, size = len(text), len(text.encode())
    assert size > characters + 9_000  # three bytes each in UTF-8

    with pytest.raises(CaseDataTooLarge) as refused:
        checked_dumps(workflow, [], characters + 1)
    assert refused.value.size == size
    assert checked_dumps(workflow, [], size) == text


def test_the_size_walk_stops_soon_after_its_budget():
    ten_gigabytes = ["x" * 10 ** 6] * 10 ** 4
    assert 2 * 10 ** 6 < json_size(ten_gigabytes, 2 * 10 ** 6) < 4 * 10 ** 6
