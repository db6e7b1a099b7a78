"""What a step may write, at every depth of its form: the form is the write contract.

A property marked `readOnly` is case context the step shows and never changes, wherever it sits: at
the top of the form, in a nested object, or in the rows of a list. A submission is cut down to the
writable properties its form declares (unknown keys dropped at every depth), validated, and then
given back the case's own values for every read-only property inside it, so a request can never
rewrite a price or a SKU inside a row, whatever it sends.

Rows. A list whose rows carry read-only properties (approved lines the warehouse fills in) has
**fixed rows**: the step must send exactly the rows the case holds, matched by position, and can
add none and remove none. A form may say so for any list with `"x-rows": "fixed"`, or allow adding
and removing rows with `"x-rows": "free"`, which deploy accepts only for rows without read-only
properties (a free row has no case row to take its read-only values from).
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

ROWS_KEY = "x-rows"
_ROW_MODES = ("fixed", "free")


def properties(node: Mapping[str, Any]) -> Mapping[str, Any]:
    props = node.get("properties")
    return props if isinstance(props, Mapping) else {}


def _items(prop: Mapping[str, Any]) -> Mapping[str, Any]:
    items = prop.get("items")
    return items if isinstance(items, Mapping) else {}


def rows_fixed(prop: Mapping[str, Any]) -> bool:
    """Whether the rows of a list property are the case's rows (neither added nor removed)."""
    mode = prop.get(ROWS_KEY)
    if mode in _ROW_MODES:
        return mode == "fixed"
    return any(isinstance(c, Mapping) and c.get("readOnly") for c in properties(_items(prop)).values())


def writable_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema without its read-only properties, at every depth (and not required any more)."""
    result = _strip(copy.deepcopy(dict(schema)))
    result.setdefault("properties", {})
    return result


def _strip(node: dict[str, Any]) -> dict[str, Any]:
    props = node.get("properties")
    if isinstance(props, dict):
        readonly = {k for k, v in props.items() if isinstance(v, dict) and v.get("readOnly")}
        node["properties"] = {k: _strip(v) if isinstance(v, dict) else v
                              for k, v in props.items() if k not in readonly}
        if isinstance(node.get("required"), list):
            node["required"] = [k for k in node["required"] if k not in readonly]
    if isinstance(node.get("items"), dict):
        node["items"] = _strip(node["items"])
    return node


def writable(prop: Mapping[str, Any], value: Any, current: Any, path: str, errors: dict[str, str]) -> Any:
    """The part of a submitted value its property lets the step write; a changed set of fixed rows
    is recorded in `errors` under the list's path."""
    kind = prop.get("type")
    if kind == "object" and isinstance(value, Mapping) and "properties" in prop:
        known = current if isinstance(current, Mapping) else {}
        return {k: writable(sub, value[k], known.get(k), f"{path}.{k}", errors)
                for k, sub in properties(prop).items()
                if k in value and isinstance(sub, Mapping) and not sub.get("readOnly")}
    if kind == "array" and isinstance(value, list):
        items = _items(prop)
        if not rows_fixed(prop):
            return [writable(items, v, None, f"{path}.{i}", errors) for i, v in enumerate(value)]
        rows = current if isinstance(current, list) else []
        if len(value) != len(rows):
            errors.setdefault(path, f"rows cannot be added or removed (keep the {len(rows)} rows)")
        return [writable(items, v, rows[i] if i < len(rows) else None, f"{path}.{i}", errors)
                for i, v in enumerate(value)]
    return value


def with_read_only(prop: Mapping[str, Any], value: Any, current: Any) -> Any:
    """A validated writable value completed with the case's values of the read-only properties in it."""
    kind = prop.get("type")
    if kind == "object" and isinstance(value, Mapping) and "properties" in prop:
        known = current if isinstance(current, Mapping) else {}
        result = {}
        for key, sub in properties(prop).items():
            if not isinstance(sub, Mapping):
                continue
            if sub.get("readOnly"):
                if key in known:
                    result[key] = copy.deepcopy(known[key])
            elif key in value:
                result[key] = with_read_only(sub, value[key], known.get(key))
        return result
    if kind == "array" and isinstance(value, list):
        items = _items(prop)
        rows = current if rows_fixed(prop) and isinstance(current, list) else []
        return [with_read_only(items, v, rows[i] if i < len(rows) else None) for i, v in enumerate(value)]
    return value


def draft_values(schema: Mapping[str, Any] | None, draft: Mapping[str, Any], current: Mapping[str, Any]
                 ) -> dict[str, Any]:
    """A saved draft as the form shows it again. Drafts are kept as sent (they are unfinished, so
    unchecked), but whoever opens the task next sees only what the step may write, and the case's own
    values in every read-only property inside it, never a price someone typed into a draft."""
    props = properties(schema or {})
    result = {}
    for key, value in draft.items():
        prop = props.get(key)
        if isinstance(prop, Mapping) and not prop.get("readOnly"):
            known = current.get(key)
            result[key] = with_read_only(prop, writable(prop, value, known, key, {}), known)
    return result


def check_rows(schema: Mapping[str, Any], path: str = "") -> None:
    """Refuse an `x-rows` a form cannot mean: on something not a list, an unknown mode, or free rows
    with read-only properties; ValueError names the property."""
    for key, prop in properties(schema).items():
        if not isinstance(prop, Mapping):
            continue
        where = f"{path}{key}"
        if ROWS_KEY in prop:
            mode = prop[ROWS_KEY]
            if prop.get("type") != "array":
                raise ValueError(f"{where}: {ROWS_KEY} belongs on a list")
            if mode not in _ROW_MODES:
                raise ValueError(f"{where}: {ROWS_KEY} must be one of {', '.join(_ROW_MODES)}, not {mode!r}")
            if mode == "free" and any(isinstance(c, Mapping) and c.get("readOnly")
                                      for c in properties(_items(prop)).values()):
                raise ValueError(f"{where}: rows with read-only properties cannot be free "
                                 f"(a new row would have no case values for them)")
        check_rows(prop, f"{where}.")
        check_rows(_items(prop), f"{where}.*.")
