"""Approval steps with several approvers (会签 / 或签 / 依次) as a model states them, and the deploy
check that the BPMN around them does what their mode says.

Such a step is a multi-instance user task with the property `approvalMode`; its loop input is a list
of usernames, its input data item the approver of one instance, its output data item the
instance's decision (a boolean form field, `approved`) and its loop output the decisions in the
order they were made. `approverRole` (role keys, comma-separated) lets the engine make the list.
"""
from __future__ import annotations

from typing import Any, Iterator

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import (
    MultiInstanceTask,
    SequentialMultiInstanceTask,
)

from engine.errors import DeployError

from .specs import task_property

APPROVAL_MODE = "approvalMode"
APPROVER_ROLE = "approverRole"
#: all: every approver decides, a single 不同意 rejects (会签); any: the first decision is the step's
#: (或签); sequence: one after another, a 不同意 stops the line (依次).
MODES = ("all", "any", "sequence")


def approval_mode(task_spec: Any) -> str | None:
    """The mode of an approval step, read from the spec of its instances; None for other tasks."""
    mode = task_property(task_spec, APPROVAL_MODE)
    return mode.strip().lower() if mode else None


def approver_roles(task_spec: Any) -> tuple[str, ...]:
    """The roles whose holders in the case's scope approve, in the model's order; () when the list
    of approvers comes from the case data instead."""
    named = task_property(task_spec, APPROVER_ROLE) or ""
    return tuple(dict.fromkeys(r.strip() for r in named.split(",") if r.strip()))


def approval_loops(process_spec: Any) -> Iterator[tuple[MultiInstanceTask, Any]]:
    """The approval steps of a process: the multi-instance wrapper and the spec of its instances."""
    for spec in process_spec.task_specs.values():
        if isinstance(spec, MultiInstanceTask):
            child = process_spec.task_specs.get(spec.task_spec)
            if child is not None and approval_mode(child) is not None:
                yield spec, child


def check_approvals(process_spec: Any, filename: str) -> None:
    """Refuse an approval step whose mode the BPMN does not carry out (DeployError)."""
    for spec in process_spec.task_specs.values():
        mode = approval_mode(spec)
        if mode is None or isinstance(spec, MultiInstanceTask):
            continue
        loop = next((w for w, child in approval_loops(process_spec) if child is spec), None)
        problem = _problem(mode, loop)
        if problem:
            raise DeployError(f"{filename}, element {spec.bpmn_id}: {problem}", filename=filename,
                              element=spec.bpmn_id, reason="approval_step", params={"detail": problem})


def _problem(mode: str, loop: MultiInstanceTask | None) -> str | None:
    if mode not in MODES:
        return f"{APPROVAL_MODE} must be one of {', '.join(MODES)}, not {mode!r}"
    if loop is None:
        return f"{APPROVAL_MODE} needs multi-instance loop characteristics (one instance per approver)"
    if loop.data_input is None or loop.input_item is None:
        return "an approval step loops over a list of usernames: give loopDataInputRef and inputDataItem"
    if loop.data_output is None or loop.output_item is None:
        return ("an approval step collects its decisions: give loopDataOutputRef and outputDataItem "
                "(the form's boolean decision field)")
    if (mode == "sequence") != isinstance(loop, SequentialMultiInstanceTask):
        sequential = "true" if mode == "sequence" else "false"
        return f'{APPROVAL_MODE} {mode!r} needs isSequential="{sequential}"'
    if mode == "any" and not loop.condition:
        return f"{APPROVAL_MODE} 'any' needs a completionCondition (True: the first decision ends the step)"
    return None
