"""The script engine SpiffWorkflow runs model scripts, gateway conditions, DMN cells and timers with.

Models are written by process designers, not by the people who run the platform, and whatever a
model's Python does, the server holds:
- every piece of it is compiled under one policy (`script_compiler`): no imports, no I/O, no `_`
  names or introspection, no eval/exec/open/type; deploy refuses a model that breaks it
  (`script_checks`), so a deployed model is not refused later for what it says;
- scripts (and any expression whose cost the compiler cannot bound) run in worker processes with OS
  limits (`script_pool`): a script that runs over its time, in a Python loop or inside a single
  builtin (`str`, `==` on aliased lists), is killed at its limit and its worker replaced; one that
  needs more memory than its limit fails in its own process, never in the server's;
- code whose cost the compiler can bound (names, constants, comparisons, arithmetic, subscripts, a
  few helpers, and `name = expression` scripts of those: most conditions, DMN cells and one-line
  scripts) runs in the server, on case data that came from JSON, and falls back to a worker for
  anything that could grow (`InlineRun`);
- only plain JSON data comes back (`plain_data`): copied, bounded, no objects, no memory addresses.
Errors keep their type and script line, so SpiffWorkflow names the element that failed.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import contextvars
import functools
import json
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Mapping
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import runner as script_runner
from .compiler import Compiled, compile_code
from .functions import DEFAULT_ZONE, make_helpers
from .guards import InlineRun, NeedsIsolation, ScriptLimitError, ScriptLimits, ScriptPolicyError
from .plain_data import Budget, export, storable_text
from .pool import pool_for

__all__ = ["RestrictedEnvironment", "RestrictedScriptEngine", "ScriptLimitError", "ScriptLimits",
           "ScriptPolicyError", "make_script_engine", "service_answers"]

#: The connectors' answers for the service tasks about to run, by task id (see `service_answers`).
_answers: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar("service_answers", default={})


@contextlib.contextmanager
def service_answers(answers: Mapping[str, Any]) -> Iterator[None]:
    """Let the service tasks in `answers` (task id → the connector's result) run: their connector was
    called before, outside the transaction, so running the task only stores the result."""
    token = _answers.set(answers)
    try:
        yield
    finally:
        _answers.reset(token)


def _system_clock() -> datetime:
    return datetime.now(timezone.utc)


def _site_global(name: str, value: Any) -> dict[str, Any]:
    """How a worker gets a site helper: a function by import path, anything else as plain data."""
    if not callable(value):
        return {"value": export(value, Budget(ScriptLimits.result), f"script global {name!r}")}
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", "")
    if not module or not qualname or "<" in qualname:
        raise ValueError(f"script global {name!r} must be a module-level function (scripts run in worker "
                         "processes, which import it by name) or plain data")
    return {"ref": f"{module}:{qualname}"}


_stand_ins: dict[str, type[Exception]] = {}


def _stand_in(name: str) -> type[Exception]:
    """A RuntimeError named like an exception class the server cannot rebuild (decimal's, ...)."""
    if name not in _stand_ins:
        _stand_ins[name] = type(name if name.isidentifier() else "ScriptError", (RuntimeError,), {})
    return _stand_ins[name]


def _rebuilt(error: Mapping[str, Any]) -> Exception:
    """The exception a worker reported, of the same builtin class where there is one."""
    name, args = error["type"], error["args"]
    cls = ({"policy": ScriptPolicyError, "limit": ScriptLimitError}.get(error["kind"])
           or getattr(builtins, name, None))
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = _stand_in(name)
    try:
        exc = cls(*args)
    except Exception:  # UnicodeDecodeError and friends want more than a message
        exc = _stand_in(name)(*args)
    exc.script_line = error.get("line")  # type: ignore[attr-defined]
    return exc


@contextlib.contextmanager
def _addresses_cut() -> Iterator[None]:
    """An error's text as it may be stored: `{}[now]` names a function by its address. args[0]
    becomes a str, which SpiffWorkflow's error formatter needs (it concatenates it)."""
    try:
        yield
    except Exception as exc:
        if exc.args:
            exc.args = tuple(storable_text(str(a)) if i == 0 or isinstance(a, str) else a
                             for i, a in enumerate(exc.args))
        raise


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Runs model code on a copy of the task data and writes back only plain data."""

    def __init__(self, environment_globals: Mapping[str, Any] | None = None, *,
                 clock: Callable[[], datetime] | None = None, limits: ScriptLimits | None = None,
                 zone: ZoneInfo = DEFAULT_ZONE) -> None:
        self.clock = clock or _system_clock
        self.limits = limits or ScriptLimits()
        self.zone = zone
        extra = dict(environment_globals or {})
        bad = sorted(name for name in extra if not name.isidentifier() or name.startswith("_"))
        if bad:  # a `_` name could replace one of the guards the compiled code calls
            raise ValueError(f"script globals must be identifiers not starting with '_': {bad}")
        self._site = {name: _site_global(name, value) for name, value in extra.items()}
        super().__init__({**make_helpers(self.clock, zone), **extra})

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        compiled = compile_code(expression, "eval")
        with _addresses_cut():
            data, external = self._visible(compiled, context, external_context)
            return self._run(compiled, "eval", expression, data, external)["value"]

    def execute(self, script: str, context: dict[str, Any],
                external_context: Mapping[str, Any] | None = None) -> bool:
        compiled = compile_code(script, "exec")
        reserved = compiled.bound & set(self.globals)
        if reserved:
            raise ScriptPolicyError(f"cannot assign to {', '.join(sorted(reserved))}: the name of a script "
                                    "helper; pick another variable name")
        with _addresses_cut():
            outcome = self._run(compiled, "exec", script, *self._visible(compiled, context, external_context))
        for name in outcome["deleted"]:
            context.pop(name, None)
        context.update(outcome["set"])
        return True

    def _run(self, compiled: Compiled, mode: str, source: str, data: dict[str, Any],
             external: dict[str, Any]) -> dict[str, Any]:
        """Inline when the compiler says the cost is bounded and nothing comes near a limit, else in
        a worker: {"value": ...} for an expression, {"set": ..., "deleted": ...} for a script."""
        if compiled.inline:
            try:
                space = script_runner.namespace(data, external, self.globals, InlineRun(self.limits))
                budget = Budget(min(self.limits.result, InlineRun.RESULT))
                if mode == "eval":
                    return {"value": script_runner.evaluate(compiled, space, budget)}
                changed, deleted = script_runner.execute(compiled, space, data, external, self.globals,
                                                         budget)
                return {"set": changed, "deleted": deleted}
            except (NeedsIsolation, ScriptLimitError):  # the worker decides, with the full limits
                pass
        return self._in_worker(mode, source, data, external)

    def _visible(self, compiled: Compiled, context: Mapping[str, Any],
                 external_context: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """The data fields and external names the code may see: none that starts with `_` or has
        the name of a helper (a field the code reads under a helper's name is an error)."""
        external = {name: value for name, value in (external_context or {}).items()
                    if not name.startswith("_")}
        shadowing = (set(context) | set(external)) & set(self.globals) & compiled.loaded
        if shadowing:
            raise ValueError(f"task data field(s) {sorted(shadowing)} have the name of a script helper "
                             "that this expression uses; rename the field(s)")
        data = {name: value for name, value in context.items()
                if not name.startswith("_") and name not in self.globals}
        return data, external

    def _in_worker(self, mode: str, source: str, data: dict[str, Any],
                   external: dict[str, Any]) -> dict[str, Any]:
        moment = self.clock()
        request = {"mode": mode, "source": source, "data": data, "external": external, "globals": self._site,
                   "now": moment.isoformat(), "zone": self.zone.key, "limits": asdict(self.limits)}
        reply = pool_for(self.limits.memory).run(request, self.limits.seconds, self.limits.result)
        if not reply["ok"]:
            raise _rebuilt(reply["error"])
        return reply


@functools.lru_cache(maxsize=4096)
def _syntax_error(expression: str) -> tuple[str, tuple[Any, ...]] | None:
    try:
        ast.parse(expression)
    except SyntaxError as exc:
        return exc.msg, (exc.filename, exc.lineno, exc.offset, exc.text)
    return None


class RestrictedScriptEngine(PythonScriptEngine):
    """Says why an expression failed (the stock engine reports only "Error evaluating expression"),
    and on which line a script failed in its worker."""

    def validate(self, expression: str) -> None:
        """SpiffWorkflow parses each DMN cell again at every evaluation, to learn whether it is an
        expression or the right side of a comparison: the answer for a text is kept (a DMN table
        repeats the same few cells). A fresh SyntaxError each time, as `ast.parse` raises."""
        error = _syntax_error(expression)
        if error is not None:
            raise SyntaxError(*error)

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as exc:
            message = (f"Error evaluating expression '{expression}': "
                       f"{type(exc).__name__}: {storable_text(str(exc))}")
            raise WorkflowTaskException(message, task=task, exception=exc) from exc

    def call_service(self, task: Any, **kwargs: Any) -> str:
        """The connector's result for this service task, called beforehand (`service_answers`)."""
        answers = _answers.get()
        if str(task.id) not in answers:
            raise WorkflowTaskException("a service task runs only through its connector, from the background "
                                        "runner", task=task)
        return json.dumps(answers[str(task.id)])

    def get_error_line_number_and_content(self, script: str, err: Exception) -> tuple[int, str]:
        line = getattr(err, "script_line", None)
        if line:
            lines = script.splitlines()
            return line, lines[line - 1] if 0 < line <= len(lines) else ""
        return super().get_error_line_number_and_content(script, err)


def make_script_engine(clock: Callable[[], datetime] | None = None,
                       extra_globals: dict[str, Any] | None = None,
                       limits: ScriptLimits | None = None,
                       zone: ZoneInfo = DEFAULT_ZONE) -> PythonScriptEngine:
    """One engine per Engine: its clock feeds now()/today() (SpiffWorkflow's own timer clock is
    engine.clock's business), `extra_globals` adds site helpers (module-level functions or plain
    data), `limits` loosens or tightens budgets, `zone` is the business time zone of the helpers."""
    environment = RestrictedEnvironment(extra_globals, clock=clock, limits=limits, zone=zone)
    return RestrictedScriptEngine(environment=environment)
