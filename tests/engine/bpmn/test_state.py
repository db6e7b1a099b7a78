"""A case's stored state: written by orjson with SpiffWorkflow's own values, read back exactly, and the
states json wrote (before orjson, or for what orjson cannot write exactly) still read by json."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import state

DATA = {"store_code": "SH001", "amount": 5, "reason": "店长已致电客户，顾客接受致歉",
        "visit": date(2026, 12, 4), "paid": Decimal("1280.50"), "ratio": 0.1 + 0.2,
        "at": datetime(2026, 12, 4, 9, 30, tzinfo=timezone.utc), "tags": {"vip"},
        "lines": [{"sku": "SH-001", "qty": 2, "ok": True, "note": None}], "big": 2**63 - 1}


@pytest.fixture
def parsed(send_back_process):
    return send_back_process


def running(parsed, **data: object) -> BpmnWorkflow:
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
    workflow.get_next_task(state=TaskState.READY).data.update(data)
    workflow.do_engine_steps()
    return workflow


def spiffs_own(workflow: BpmnWorkflow) -> str:
    """What SpiffWorkflow's serializer writes for the same workflow, spec left out the same way."""
    serializer = state._serializer
    return serializer.serialize_json(workflow)


def test_orjson_writes_what_spiffworkflow_writes_and_reads_it_back(parsed):
    workflow = running(parsed, **DATA)

    text = state.dumps(workflow)

    assert text.startswith('{"data":{') and "店长已致电客户" in text  # orjson's: compact, UTF-8
    assert json.loads(text) == json.loads(spiffs_own(workflow))
    restored = state.loads(text, parsed)
    [task] = restored.get_tasks(state=TaskState.READY, manual=True)
    assert {k: task.data[k] for k in DATA} == {**DATA, "tags": ["vip"]}  # a set is a list, as in Spiff
    assert type(task.data["paid"]) is Decimal and type(task.data["visit"]) is date
    assert state.dumps(restored) == text


def test_what_orjson_cannot_write_exactly_is_written_and_read_by_json(parsed):
    huge = 2**64 + 1  # orjson would read it back as a float
    workflow = running(parsed, store_code="SH001", amount=huge, counts={1: "one"})

    text = state.dumps(workflow)

    assert text.startswith('{"data": {')
    [task] = state.loads(text, parsed).get_tasks(state=TaskState.READY, manual=True)
    assert task.data["amount"] == huge and type(task.data["amount"]) is int
    assert task.data["counts"] == {"1": "one"}


def test_a_state_json_wrote_before_orjson_reads_as_it_did(parsed):
    workflow = running(parsed, **DATA)
    before = spiffs_own(workflow)  # ASCII with escapes, a space after each colon

    [task] = state.loads(before, parsed).get_tasks(state=TaskState.READY, manual=True)

    assert task.data["reason"] == DATA["reason"] and task.data["paid"] == DATA["paid"]
    assert json.loads(state.dumps(state.loads(before, parsed))) == json.loads(before)


def test_restored_tasks_are_what_spiffworkflows_own_converters_restore(parsed):
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
    stock = BpmnWorkflowSerializer.configure(dict(SPIFF_CONFIG))
    stock.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    stock.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    workflow = running(parsed, **DATA)
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    ready.data.update(note="改期")
    ready.run()
    workflow.do_engine_steps()
    text = state.dumps(workflow)

    ours = state.loads(text, parsed)
    theirs = BpmnWorkflowSerializer(stock).from_dict(
        {**json.loads(text), "spec": parsed.spec, "subprocess_specs": dict(parsed.subprocess_specs)})

    def tasks(wf: BpmnWorkflow) -> list[tuple]:
        return [(t.id, t.parent.id if t.parent else None, [c.id for c in t.children], t.state,
                 t.task_spec.name, t.data, t.internal_data) for t in wf.get_tasks()]
    assert len(tasks(ours)) > 5 and tasks(ours) == tasks(theirs)
    assert ours.last_task.id == theirs.last_task.id and ours.data == theirs.data
