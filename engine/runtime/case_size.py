"""The size limit of a case's data, checked before the case is saved.

What is stored is the serialized workflow, which keeps every task's copy of the data, so the limit
applies to that text and its length is exact once it is made. A script can make it huge from small
objects, though (a megabyte string referenced a thousand times serializes to a gigabyte), so the
newest data a command produced is measured first, with a walk that stops as soon as the limit is
passed: an oversized case is refused before anything that large is built. The refusal names the
element whose data first got too big: the step that produced it.
"""
from __future__ import annotations

from typing import Any, Sequence

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.bpmn import state
from engine.errors import CaseDataTooLarge

#: Serialized state per case, in bytes of its UTF-8 text.
DEFAULT_MAX_CASE_BYTES = 2 * 1024 * 1024


def json_size(value: Any, budget: int) -> int:
    """A lower bound of the length of `value` as JSON, counted only until it passes `budget`.

    Never more than the stored JSON takes (non-ASCII text is counted a byte a character, UTF-8 takes
    two to four), so it refuses nothing the exact check would accept."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, dict):
            total += 6 * len(item) or 2  # braces, each key's quotes and ": ", the ", " between items
            for key, child in item.items():
                total += len(key) if isinstance(key, str) else 1
                stack.append(child)
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 * len(item) or 2
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            total += (abs(item).bit_length() - 1) * 3 // 10 + 1 if item else 1
        else:  # floats, null, true, false, and the few types the serializer stores as objects
            total += 3
        if total > budget:
            break
    return total


def checked_dumps(workflow: BpmnWorkflow, produced: Sequence[Any], limit: int) -> str:
    """The workflow's state to store, or CaseDataTooLarge naming the element that made it too big.

    `produced` are the SpiffWorkflow tasks the command completed, in order: the user's task first,
    then each step the engine ran. Only model code (scripts, decisions) can make data much larger
    than the request that carried it, so the walk is spent on commands that ran some."""
    if any(map(_runs_model_code, produced)) and json_size(produced[-1].data, limit) > limit:
        raise too_large(produced, limit, limit + 1)
    text = state.dumps(workflow)
    if len(text) > limit // 4 and (size := len(text.encode())) > limit:  # ≤ 4 bytes a character
        raise too_large(produced, limit, size)
    return text


def too_large(produced: Sequence[Any], limit: int, size: int) -> CaseDataTooLarge:
    """The refusal, naming the first task whose data is the largest of those the command produced
    (data flows on to every later step, so that is where it came from)."""
    culprit, largest = None, -1
    for task in produced:
        measured = json_size(task.data, limit)
        if measured > largest:
            culprit, largest = task, measured
        if measured > limit:
            break
    spec = culprit.task_spec if culprit is not None else None
    if not spec:
        return CaseDataTooLarge(None, "", size, limit)
    return CaseDataTooLarge(spec.bpmn_id, spec.bpmn_name or "", size, limit)


def _runs_model_code(task: Any) -> bool:
    spec = task.task_spec
    return bool(getattr(spec, "script", None) or getattr(spec, "prescript", None)
                or getattr(spec, "postscript", None) or getattr(spec, "dmnEngine", None))
