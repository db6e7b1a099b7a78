"""Running model code inside a command, and what its failures become.

Scripts, gateway conditions, DMN cells and timer expressions are the model's, not the engine's:
whatever they raise (SpiffWorkflow's own errors, or anything else a script or decision table can
provoke) refuses the command with a ProcessError that names the BPMN element and says briefly why,
instead of escaping as a server error.
"""
from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator

from SpiffWorkflow.exceptions import WorkflowException

from engine.clock import clock_in_effect
from engine.errors import EngineError, ProcessError, brief, where

log = logging.getLogger(__name__)

#: SpiffWorkflow fires a timer only once its clock is strictly past the due time; timers are looked
#: at this much later than the moment a command runs at, so one due at that moment fires.
TIMER_TICK = timedelta(microseconds=1)


@contextlib.contextmanager
def running_model(clock: Callable[[], datetime], running: list[Any] | None = None) -> Iterator[None]:
    """Run model code (scripts, conditions, decisions, timer expressions) at `clock`'s time; whatever
    it raises becomes a ProcessError naming the element (`running`: the tasks started, last one
    the failing one when SpiffWorkflow does not say)."""
    with clock_in_effect(clock):
        try:
            yield
        except EngineError:
            raise
        except Exception as exc:
            if not isinstance(exc, WorkflowException):
                log.warning("model code raised %s", type(exc).__name__, exc_info=True)
            raise process_error(exc, running[-1] if running else None) from None


def process_error(exc: Exception, running: Any = None) -> ProcessError:
    task = getattr(exc, "task", None) or running
    spec = task.task_spec if task is not None else getattr(exc, "task_spec", None)
    element = getattr(spec, "bpmn_id", None)
    name = (getattr(spec, "bpmn_name", None) or "") if element else ""
    error_type = getattr(exc, "error_type", None)
    if not error_type or error_type == "unknown":
        error_type = type(exc).__name__
    text = str(exc.args[0]) if exc.args else ""
    text = text.removeprefix(f"{error_type}:").strip()
    notes = [n for n in getattr(exc, "notes", []) if n]
    reason = brief("; ".join([text, *notes]) if text else "; ".join(notes)) or error_type
    return ProcessError(f"{where(element, name)}: {error_type}: {reason}", element, element_name=name,
                        error_type=error_type, reason=reason)
