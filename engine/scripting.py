"""Restricted Python for model scripts, gateway conditions, DMN cells and timer expressions.

Models are written by process designers, not by the people who run the platform, so every piece of
Python in a model goes through RestrictedPython's compiler with a stricter policy on top: no imports,
no I/O, no `_` attributes or introspection builtins, and calls into `ScriptRun`'s budgets, which stop
runaway loops and memory bombs with an error instead of a hung worker. The guards stop mistakes and
casual abuse; they do not make it safe to let strangers deploy models (see `ScriptLimits`).
"""
from __future__ import annotations

import ast
import builtins
import functools
import operator
from datetime import date, datetime, timedelta, timezone
from types import CodeType
from typing import Any, Callable, Mapping, NamedTuple

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .script_helpers import (FORBIDDEN_ATTRS, ScriptLimitError, ScriptLimits, ScriptPolicyError, ScriptRun,
                             iso_duration, make_helpers)

__all__ = ["RestrictedEnvironment", "RestrictedScriptEngine", "ScriptLimitError", "ScriptLimits",
           "ScriptPolicyError", "make_script_engine", "to_plain"]

_GUARDED_OPS = {ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%"}


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


def _located(new: ast.AST, old: ast.AST) -> Any:
    copy_locations(new, old)
    return new


class _ScriptPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus refusals with plain messages and calls into `ScriptRun`'s guards."""

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        self.error(node, "'import' is not allowed in model scripts")

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.error(node, "class definitions are not allowed in model scripts")

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr in FORBIDDEN_ATTRS:
            hint = "" if node.attr == "mro" else " (format with an f-string)"
            self.error(node, f"'.{node.attr}' is not allowed in model scripts{hint}")
        return super().visit_Attribute(node)

    def visit_While(self, node: ast.While) -> Any:
        node = super().visit_While(node)
        node.test = _located(ast.BoolOp(ast.And(), [_call("_tick_"), node.test]), node.test)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _located(ast.Expr(_call("_tick_")), node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        node = super().visit_Lambda(node)
        node.body = _located(ast.BoolOp(ast.And(), [_call("_tick_"), node.body]), node.body)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = super().visit_BinOp(node)
        symbol = _GUARDED_OPS.get(type(node.op))
        if symbol is None:
            return node
        return _located(_call("_binop_", ast.Constant(symbol), node.left, node.right), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node = super().visit_FormattedValue(node)
        if node.format_spec is not None:
            node.value = _located(_call("_format_", node.value, ast.Constant(node.conversion),
                                        node.format_spec), node.value)
            node.conversion, node.format_spec = -1, None
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> Any:
        return _located(_call("_sized_", super().visit_JoinedStr(node)), node)

    def visit_Starred(self, node: ast.Starred) -> Any:
        node = super().visit_Starred(node)
        if isinstance(node.ctx, ast.Load):
            node.value = _located(_call("_sized_", node.value), node.value)
        return node


class _Compiled(NamedTuple):
    code: CodeType
    loaded: frozenset[str]
    bound: frozenset[str]


@functools.lru_cache(maxsize=2048)
def _compile(source: str, mode: str) -> _Compiled:
    """Cached: a DMN table or gateway evaluates the same few strings over and over."""
    try:
        tree = ast.parse(source, "<string>", mode)
    except SyntaxError as exc:  # SpiffWorkflow indexes the script's lines with lineno
        exc.lineno = min(exc.lineno or 0, len(source.splitlines()))
        raise
    nodes = list(ast.walk(tree))
    loaded = frozenset(n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
    bound = frozenset([n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)]
                      + [n.name for n in nodes if isinstance(n, ast.FunctionDef)])
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(tree, "<string>", policy=_ScriptPolicy)
    if result.errors:  # RestrictedPython's SyntaxError has lineno None, which SpiffWorkflow cannot format
        raise ScriptPolicyError("; ".join(result.errors))
    return _Compiled(result.code, loaded, bound)


def _refused(name: str) -> Callable[..., Any]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ScriptPolicyError(f"'{name}' is not allowed in model scripts")
    return refuse


_BUILTINS: dict[str, Any] = {name: getattr(builtins, name) for name in (
    "abs", "all", "any", "bool", "callable", "chr", "dict", "divmod", "enumerate", "float", "frozenset",
    "int", "isinstance", "len", "list", "next", "ord", "repr", "reversed", "round", "set", "str", "tuple",
    "zip", "ArithmeticError", "AssertionError", "AttributeError", "Exception", "IndexError", "KeyError",
    "LookupError", "NameError", "RuntimeError", "StopIteration", "TypeError", "ValueError",
    "ZeroDivisionError")}
_BUILTINS.update(datetime=datetime, date=date, timedelta=timedelta)
_BUILTINS.update((name, _refused(name)) for name in (
    "open", "eval", "exec", "compile", "getattr", "setattr", "delattr", "hasattr", "globals", "locals",
    "vars", "dir", "type", "input", "help", "memoryview", "bytearray", "bytes", "object", "super",
    "classmethod", "staticmethod", "property", "iter", "aiter", "pow", "format", "id", "issubclass",
    "exit", "quit"))


class _Discard:
    """`print()` in a model script goes nowhere; a collector would be one more thing to fill up."""

    def __init__(self, _getattr_: Any = None) -> None:
        pass

    def __call__(self) -> str:
        return ""

    def _call_print(self, *args: Any, **kwargs: Any) -> None:
        pass


class _ListWriter:
    """`x[:0] = x` doubles a list per loop pass; charge slice assignment like a concatenation."""

    __slots__ = ("target", "run")

    def __init__(self, target: list[Any], run: ScriptRun) -> None:
        self.target, self.run = target, run

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice):
            value = value if hasattr(value, "__len__") else list(value)
            self.run.charge(len(self.target) + len(value), "a list")
        self.target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self.target[key]


def _write_guard(run: ScriptRun) -> Callable[[Any], Any]:
    return lambda target: _ListWriter(target, run) if type(target) is list else full_write_guard(target)


def _namespace_of(run: ScriptRun) -> dict[str, Any]:
    """The names RestrictedPython's rewritten code calls, bound to this run's budgets."""
    keyed = run.keyed
    return {
        "__builtins__": {**_BUILTINS, "range": run.range, "sum": run.sum, "sorted": keyed(sorted),
                         "min": keyed(min), "max": keyed(max), "filter": run.filter, "map": run.map},
        "_getattr_": run.getattr, "_getitem_": operator.getitem, "_getiter_": run.iterate,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence, "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": _write_guard(run), "_apply_": lambda func, *a, **kw: func(*a, **kw), "_print_": _Discard,
        "_inplacevar_": run.inplace, "_tick_": run.tick, "_binop_": run.binop,
        "_format_": run.format, "_sized_": run.sized,
    }


class NotPlainData(TypeError):
    """A value that has no JSON form (a generator, a function, ...): it stays a script-local temporary."""


def to_plain(value: Any) -> Any:
    """The JSON form of a value, or the value itself if it already is one.

    Returning the same object when nothing changes lets the caller tell "unchanged" by identity.
    Raises NotPlainData for values with no JSON form.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return iso_duration(value)
    if isinstance(value, dict):
        converted = {key: to_plain(item) for key, item in value.items()}
        same = type(value) is dict and all(converted[key] is item for key, item in value.items())
        return value if same else converted
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [to_plain(item) for item in value]
        same = type(value) is list and all(a is b for a, b in zip(items, value))
        return value if same else items
    raise NotPlainData(f"{type(value).__name__} values cannot be stored in task data")


_MISSING = object()


def _system_clock() -> datetime:
    return datetime.now(timezone.utc)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Runs each script in a fresh namespace built from the task data, then writes back only plain data.

    Task data never becomes the globals dict itself (unlike SpiffWorkflow's TaskDataEnvironment), so
    helpers, guards and temporaries cannot leak into it, and `del x` is seen as a deletion.
    """

    def __init__(self, environment_globals: Mapping[str, Any] | None = None, *,
                 clock: Callable[[], datetime] | None = None, limits: ScriptLimits | None = None) -> None:
        self.clock = clock or _system_clock
        self.limits = limits or ScriptLimits()
        extra = dict(environment_globals or {})
        bad = sorted(name for name in extra if not name.isidentifier() or name.startswith("_"))
        if bad:  # a `_` name could replace one of the guards the compiled code calls
            raise ValueError(f"script globals must be identifiers not starting with '_': {bad}")
        super().__init__({**make_helpers(self.clock), **extra})

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        compiled = _compile(expression, "eval")
        namespace, _ = self._namespace(compiled, context, external_context)
        result = eval(compiled.code, namespace)
        try:  # timers want ISO strings, and DMN outputs land in task data
            return to_plain(result)
        except (NotPlainData, RecursionError):
            return result

    def execute(self, script: str, context: dict[str, Any],
                external_context: Mapping[str, Any] | None = None) -> bool:
        compiled = _compile(script, "exec")
        reserved = compiled.bound & set(self.globals)
        if reserved:
            raise ScriptPolicyError(f"cannot assign to {', '.join(sorted(reserved))}: the name of a script "
                                    "helper; pick another variable name")
        namespace, visible = self._namespace(compiled, context, external_context)
        try:
            exec(compiled.code, namespace)
        except Exception as exc:  # SpiffWorkflow's error formatter concatenates args[0] to a str
            if exc.args and not isinstance(exc.args[0], str):
                exc.args = (str(exc.args[0]),) + exc.args[1:]
            raise
        self._write_back(namespace, visible, context, set(external_context or ()))
        return True

    def _namespace(self, compiled: _Compiled, context: Mapping[str, Any],
                   external_context: Mapping[str, Any] | None) -> tuple[dict[str, Any], set[str]]:
        external = dict(external_context or {})
        shadowing = (set(context) | set(external)) & set(self.globals) & compiled.loaded
        if shadowing:
            raise ValueError(f"task data field(s) {sorted(shadowing)} have the name of a script helper "
                             "that this expression uses; rename the field(s)")
        visible = {name for name in context if not name.startswith("_") and name not in self.globals}
        namespace = {name: value for name, value in external.items() if not name.startswith("_")}
        namespace.update((name, context[name]) for name in visible)
        namespace.update(self.globals)
        namespace.update(_namespace_of(ScriptRun(self.limits)))
        return namespace, visible

    def _write_back(self, namespace: dict[str, Any], visible: set[str], context: dict[str, Any],
                    external: set[str]) -> None:
        for name in visible - namespace.keys():
            del context[name]
        for name, value in namespace.items():
            if name.startswith("_") or name in self.globals or (name in external and name not in visible):
                continue
            try:
                plain = to_plain(value)
            except (NotPlainData, RecursionError) as exc:
                if name in visible:  # silently keeping the old value would hide the mistake
                    raise TypeError(f"'{name}' cannot be stored in task data: {exc}") from None
                continue  # a new non-data name (a lambda, a generator) is a script-local temporary
            if context.get(name, _MISSING) is not plain:
                context[name] = plain


class RestrictedScriptEngine(PythonScriptEngine):
    """Says why an expression failed; the stock engine reports only "Error evaluating expression"."""

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as exc:
            message = f"Error evaluating expression '{expression}': {type(exc).__name__}: {exc}"
            raise WorkflowTaskException(message, task=task, exception=exc) from exc


def make_script_engine(clock: Callable[[], datetime] | None = None,
                       extra_globals: dict[str, Any] | None = None,
                       limits: ScriptLimits | None = None) -> PythonScriptEngine:
    """One engine per Engine: its clock feeds now()/today() (SpiffWorkflow's own timer clock is
    engine.clock's business), `extra_globals` adds site helpers, `limits` loosens or tightens budgets."""
    environment = RestrictedEnvironment(extra_globals, clock=clock, limits=limits)
    return RestrictedScriptEngine(environment=environment)
