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
after the colon; the rest is read by json.
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import orjson
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .specs import ParsedProcess


class _StateOnlyConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


def _registry() -> Any:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StateOnlyConverter
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
