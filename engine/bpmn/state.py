"""Serializing a running workflow without its spec.

SpiffWorkflow embeds the whole spec in every serialized instance; the spec belongs to the process
version (stored once, parsed once, cached), so we leave it out of the instance state and hand the
cached spec objects back in when we restore.
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

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


def registry() -> Any:
    """The converters the serializer uses, which SpiffWorkflow's spec diff compares elements with."""
    return _serializer.registry


def dumps(workflow: BpmnWorkflow) -> str:
    """The instance's state as JSON, without spec."""
    return _serializer.serialize_json(workflow)


def loads(state: str, process: ParsedProcess) -> BpmnWorkflow:
    dct = json.loads(state)
    _serializer.migrate(dct)
    dct["spec"] = process.spec
    dct["subprocess_specs"] = dict(process.subprocess_specs)
    return _serializer.from_dict(dct)
