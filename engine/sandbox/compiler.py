"""The one policy every piece of Python in a model is compiled under, at deploy and at run time.

RestrictedPython's compiler with a stricter policy on top: no imports, classes, `_` names, calls of
builtins that reach outside (open, eval, type, ...), and calls into `ScriptRun`'s guards for loops,
functions and the operations that can build huge values. The same `compile_code` refuses a model
at deploy (`script_checks`) and compiles it in the server and in the worker processes, so a model
that deploys is never refused by the policy later.

`compile_code` also says whether code may run in the server itself (`Compiled.inline`): an
expression made only of names, constants, comparisons, boolean and arithmetic operators,
subscripts, collections and calls of a few helpers whose cost is bounded by the size of their
arguments, or a script of `name = <such an expression>` lines that builds no collection out of a
name it assigns. Without loops, comprehensions, functions, attributes or formatting, at most
INLINE_NODES operations each cost about the size of the plain case data they read (it came from
JSON: a tree, no aliasing); nothing can nest a value in itself, and `InlineRun` sends the few
operations that could grow one (sequence `+`, `*`, `%`) to a worker all the same. Everything else
runs in a worker process.
"""
from __future__ import annotations

import ast
import builtins
import functools
import operator
from datetime import date, datetime, timedelta
from types import CodeType
from typing import Any, Callable, NamedTuple, TypeVar, cast

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

from .guards import FORBIDDEN_ATTRS, ScriptPolicyError, ScriptRun

HELPER_NAMES = frozenset({"now", "today", "add_days", "add_hours", "duration_hours", "duration_days",
                          "line_total", "sum_of"})
REFUSED_BUILTINS = frozenset({
    "open", "eval", "exec", "compile", "getattr", "setattr", "delattr", "hasattr", "globals", "locals",
    "vars", "dir", "type", "input", "help", "memoryview", "bytearray", "bytes", "object", "super",
    "classmethod", "staticmethod", "property", "iter", "aiter", "pow", "format", "id", "issubclass",
    "exit", "quit"})
INLINE_CALLS = HELPER_NAMES | {"len", "abs", "int", "float", "bool", "min", "max", "sum", "any", "all"}
INLINE_NODES = 200  # bigger expressions run in a worker: the inline cost is nodes x data size
_INLINE_TYPES = (ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Compare, ast.BoolOp, ast.UnaryOp,
                 ast.BinOp, ast.IfExp, ast.Subscript, ast.Slice, ast.List, ast.Tuple, ast.Set, ast.Dict,
                 ast.Call, ast.keyword, ast.cmpop, ast.boolop, ast.unaryop, ast.operator)
_GUARDED_OPS = {ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%"}
_CLOCK_CLASSES = {"date", "datetime"}
_CLOCK_METHODS = {"now", "today", "utcnow"}
_Located = TypeVar("_Located", ast.expr, ast.stmt)


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


def _located(new: _Located, old: ast.expr | ast.stmt) -> _Located:
    copy_locations(new, old)
    return new


class _ScriptPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus refusals with plain messages and calls into `ScriptRun`'s guards."""

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        self.error(node, "'import' is not allowed in model scripts")

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.error(node, "class definitions are not allowed in model scripts")

    def visit_Call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Name) and func.id in REFUSED_BUILTINS:
            self.error(node, f"'{func.id}' is not allowed in model scripts")
        if (isinstance(func, ast.Attribute) and func.attr in _CLOCK_METHODS
                and isinstance(func.value, ast.Name) and func.value.id in _CLOCK_CLASSES):
            self.error(node, f"'{func.value.id}.{func.attr}()' is not allowed in model scripts; "
                             "use now() or today()")
        return super().visit_Call(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr in FORBIDDEN_ATTRS:
            hint = "" if node.attr == "mro" else " (format with an f-string)"
            self.error(node, f"'.{node.attr}' is not allowed in model scripts{hint}")
        return super().visit_Attribute(node)

    # RestrictedPython's visitors hand back the node they were given, typed as any visitor's result.

    def visit_While(self, node: ast.While) -> Any:
        node = cast(ast.While, super().visit_While(node))
        node.test = _located(ast.BoolOp(ast.And(), [_call("_tick_"), node.test]), node.test)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        node = cast(ast.FunctionDef, super().visit_FunctionDef(node))
        node.body.insert(0, _located(ast.Expr(_call("_tick_")), node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        node = cast(ast.Lambda, super().visit_Lambda(node))
        node.body = _located(ast.BoolOp(ast.And(), [_call("_tick_"), node.body]), node.body)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = cast(ast.BinOp, super().visit_BinOp(node))
        symbol = _GUARDED_OPS.get(type(node.op))
        if symbol is None:
            return node
        return _located(_call("_binop_", ast.Constant(symbol), node.left, node.right), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node = cast(ast.FormattedValue, super().visit_FormattedValue(node))
        if node.format_spec is not None:
            node.value = _located(_call("_format_", node.value, ast.Constant(node.conversion),
                                        node.format_spec), node.value)
            node.conversion, node.format_spec = -1, None
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> Any:
        return _located(_call("_sized_", cast(ast.JoinedStr, super().visit_JoinedStr(node))), node)

    def visit_Starred(self, node: ast.Starred) -> Any:
        node = cast(ast.Starred, super().visit_Starred(node))
        if isinstance(node.ctx, ast.Load):
            node.value = _located(_call("_sized_", node.value), node.value)
        return node


class Compiled(NamedTuple):
    code: CodeType
    loaded: frozenset[str]   # names the code reads
    bound: frozenset[str]    # names it assigns (or defines)
    inline: bool             # may run in the server (see the module docstring)


def _inline_node(node: ast.AST) -> bool:
    if not isinstance(node, _INLINE_TYPES):
        return False
    if isinstance(node, ast.Call):
        return (isinstance(node.func, ast.Name) and node.func.id in INLINE_CALLS
                and not any(isinstance(a, ast.Starred) for a in node.args))
    if isinstance(node, ast.keyword):
        return node.arg is not None  # f(**kwargs)
    if isinstance(node, ast.Dict):
        return None not in node.keys  # {**other}
    return True


def _inline(tree: ast.AST, nodes: list[ast.AST]) -> bool:
    """An expression of inline nodes, or a script of `name = <such an expression>` lines that builds
    no collection out of a name it assigns (`a = [a, a]` sixty times is 2^60 items unfolded)."""
    if len(nodes) > INLINE_NODES:
        return False
    if isinstance(tree, ast.Expression):
        return all(_inline_node(node) for node in nodes)
    statements = getattr(tree, "body", [])
    if not all(isinstance(s, ast.Assign) and all(isinstance(t, ast.Name) for t in s.targets)
               for s in statements):
        return False
    bound = {target.id for statement in statements for target in statement.targets}
    for statement in statements:
        parts = list(ast.walk(statement.value))
        if not all(_inline_node(node) for node in parts):
            return False
        for display in parts:
            if isinstance(display, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and any(
                    isinstance(node, ast.Name) and node.id in bound for node in ast.walk(display)):
                return False
    return True


@functools.lru_cache(maxsize=2048)
def compile_code(source: str, mode: str) -> Compiled:
    """Compile model code ("exec" for scripts, "eval" for expressions) under the policy.

    Raises SyntaxError (with the line of the script) or ScriptPolicyError ("Line 2: ..." per
    refusal). Cached: a DMN table or gateway evaluates the same few strings over and over."""
    try:
        tree = (ast.parse(source, "<string>", "exec") if mode == "exec"
                else ast.parse(source, "<string>", "eval"))
    except SyntaxError as exc:  # SpiffWorkflow indexes the script's lines with lineno
        exc.lineno = min(exc.lineno or 0, len(source.splitlines()))
        raise
    nodes = list(ast.walk(tree))
    loaded = frozenset(n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
    bound = frozenset([n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)]
                      + [n.name for n in nodes if isinstance(n, ast.FunctionDef)])
    inline = _inline(tree, nodes)
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(tree, "<string>", policy=_ScriptPolicy)
    if result.errors:  # RestrictedPython's SyntaxError has lineno None, which SpiffWorkflow cannot format
        raise ScriptPolicyError("; ".join(result.errors))
    assert result.code is not None  # RestrictedPython leaves it out only with errors
    return Compiled(result.code, loaded, bound, inline)


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
_BUILTINS.update((name, _refused(name)) for name in REFUSED_BUILTINS)


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


def guards_of(run: ScriptRun) -> dict[str, Any]:
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
