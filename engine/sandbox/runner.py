"""One run of compiled model code against plain data, the same in a worker process and in the server.

The code runs in a fresh namespace built from the data, never in the task data dict itself (unlike
SpiffWorkflow's TaskDataEnvironment), so helpers, guards and temporaries cannot leak into the case,
and `del x` is seen as a deletion. What comes back is `plain_data.export`ed: a plain copy.
"""
from __future__ import annotations

from typing import Any, Mapping

from .compiler import Compiled, guards_of
from .guards import ScriptRun
from .plain_data import Budget, NotPlainData, export

_SCALARS = (str, int, float, bool, type(None))


def namespace(data: Mapping[str, Any], external: Mapping[str, Any], helpers: Mapping[str, Any],
              run: ScriptRun) -> dict[str, Any]:
    """`data` and `external` hold the names the code may see; helpers and guards come last, so that
    no data field can stand in for one of them."""
    space = {name: value for name, value in external.items() if not name.startswith("_")}
    space.update(data)
    space.update(helpers)
    space.update(guards_of(run))
    return space


def evaluate(compiled: Compiled, space: dict[str, Any], budget: Budget) -> Any:
    return export(eval(compiled.code, space), budget, "the expression's value")


def execute(compiled: Compiled, space: dict[str, Any], data: Mapping[str, Any], external: Mapping[str, Any],
            helpers: Mapping[str, Any], budget: Budget,
            pristine: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], list[str]]:
    """Run a script; return the data names it set or changed (plain copies) and the ones it deleted.

    `pristine` is a second copy of `data` to tell a list the script changed in place from one it
    left alone; without it the code is known not to change anything in place (inline scripts).
    A new name whose value has no JSON form (a lambda, a generator) is a script-local temporary;
    an existing field turned into one is an error, since silently keeping the old value would hide it.
    """
    exec(compiled.code, space)
    deleted = [name for name in data if name not in space]
    changed: dict[str, Any] = {}
    for name, value in space.items():
        if name.startswith("_") or name in helpers or (name in external and name not in data):
            continue
        if name in data and value is data[name] and (
                pristine is None or type(value) in _SCALARS or _same(value, pristine.get(name))):
            continue
        try:
            changed[name] = export(value, budget, f"'{name}'")
        except NotPlainData as exc:
            if name in data:
                raise TypeError(f"'{name}' cannot be stored in task data: {exc}") from None
    return changed, deleted


def _same(value: Any, before: Any) -> bool:
    try:
        return bool(value == before)
    except RecursionError:  # the script nested the value in itself
        return False
