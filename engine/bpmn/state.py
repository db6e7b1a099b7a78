"""Serializing a running workflow without its spec.

SpiffWorkflow embeds the whole spec in every serialized instance; the spec belongs to the process
version (stored once, parsed once, cached), so we leave it out of the instance state and hand the
cached spec objects back in when we restore.

The text is written and read by orjson: every command reads a case's state and writes it back, and
Python's json took 70 µs to write a complaint's state and 50 µs to read it where orjson takes 5 and 19.
The values are SpiffWorkflow's to the last detail: its encoder's `default` converts what JSON has no
form for (dates, decimals, sets), orjson hands it dates instead of writing them itself, and what
orjson cannot write exactly (an integer beyond 64 bits, a key that is not text) is written by
Python's json instead. orjson reads such integers as floats, so only orjson's own text is read by
it: that text is compact (`{"data":{`), where json's, and every state stored before, has a space
after the colon; the rest is read by json. One value differs: orjson writes NaN and ±Infinity as
null, where json wrote them as bare words no JSON reader takes. Forms and scripts refuse them; only a
connector's answer in non-standard JSON could carry one, and the API already answered it as null.
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task, TaskState
from SpiffWorkflow.util.deep_merge import DeepMerge

from .specs import ParsedProcess

#: A task's id is text in the state four times (its own, its parent's, its children's, its key in the
#: task map); SpiffWorkflow parses each: a quarter of a restore. Ids are immutable, and a case's
#: tasks keep theirs, so each is parsed once per process while it is in use.
_task_id = lru_cache(maxsize=16_384)(UUID)


class _TaskIdsOnce:
    def mapping_from_dict(self, mapping: dict[str, Any], key_class: Any = None, **kwargs: Any) -> Any:
        return super().mapping_from_dict(  # type: ignore[misc]
            mapping, _task_id if key_class is UUID else key_class, **kwargs)


class _StateOnlyConverter(_TaskIdsOnce, BpmnWorkflowConverter):
    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


class _SubWorkflowConverter(_TaskIdsOnce, BpmnSubWorkflowConverter):
    pass


class _TaskConverter(TaskConverter):
    """SpiffWorkflow 3.2's `TaskConverter.from_dict` with each id parsed once (`_task_id`)."""

    def from_dict(self, dct: dict[str, Any], workflow: Any) -> Task:
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=_task_id(dct["id"]))
        task._parent = _task_id(dct["parent"]) if dct["parent"] is not None else None
        task._children = [_task_id(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self.registry.restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        if delta and task.parent is not None:
            data = DeepMerge.merge({}, task.parent.data)
            data.update(self.registry.restore(delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                data.pop(key, None)
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


def _registry() -> Any:
    config = dict(SPIFF_CONFIG)
    config.update({BpmnWorkflow: _StateOnlyConverter, BpmnSubWorkflow: _SubWorkflowConverter,
                   Task: _TaskConverter})
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return registry


_serializer = BpmnWorkflowSerializer(_registry())
SERIALIZER_VERSION = _serializer.VERSION
_ENCODER = _serializer._encoder_cls  # SpiffWorkflow's JSONEncoder: its `default` converts for orjson too
_DEFAULT = _ENCODER().default
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_ORJSON_TEXT = '{"data":{'  # how the state orjson wrote begins (see the module's docstring)


def registry() -> Any:
    """The converters the serializer uses, which SpiffWorkflow's spec diff compares elements with."""
    return _serializer.registry


def dumps(workflow: BpmnWorkflow) -> str:
    """The instance's state as JSON, without spec (`serialize_json`, written by orjson)."""
    _serializer.registry._encoder_mode = True
    try:
        dct = _serializer.to_dict(workflow)
        dct[_serializer.VERSION_KEY] = _serializer.VERSION
        try:
            return orjson.dumps(dct, default=_DEFAULT, option=_OPTIONS).decode()
        except TypeError:  # orjson.JSONEncodeError: a huge integer, a key that is not text
            return json.dumps(dct, cls=_ENCODER)
    finally:
        _serializer.registry._encoder_mode = False


def loads(state: str, process: ParsedProcess) -> BpmnWorkflow:
    dct = orjson.loads(state) if state.startswith(_ORJSON_TEXT) else json.loads(state)
    _serializer.migrate(dct)
    dct["spec"] = process.spec
    dct["subprocess_specs"] = dict(process.subprocess_specs)
    return _serializer.from_dict(dct)
