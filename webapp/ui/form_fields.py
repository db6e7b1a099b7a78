"""From a step's JSON Schema to fields a template renders, and from a posted form back to typed JSON.

The schema stays the single source of truth: the same file the engine validates against decides
which inputs appear, how they are labelled and what each posted string becomes (numbers, booleans,
choices, line-item rows). Input names are the dotted paths the engine uses in its errors
(`items.0.quantity`), so each error lands beside its input. Choices follow the catalogue's
convention, `oneOf: [{"const", "title"}]`; `enum` with `x-enumNames` is understood too.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from engine.forms import rows_fixed

from .schema_text import error_text, schema_text

MISSING: Any = object()
#: Arrays of attachment ids (see engine.attachments): rendered as a file input.
FILE_KEYS = frozenset({"photos", "attachments"})
#: Store codes: offered as a list of the stores the person may choose.
STORE_KEYS = frozenset({"store_code", "target_stores"})
_ROW_KEY = re.compile(r"^(?P<index>[0-9]{1,6})\.(?P<column>[A-Za-z0-9_]+)$")


@dataclass(frozen=True)
class Choice:
    token: str
    value: Any
    label: str
    #: Other fields of the form the choice fills in (a store's name, city and address), as data-fill-* on
    #: its option.
    fill: tuple[tuple[str, str], ...] = ()


@dataclass
class Field:
    """One input (or a group of row inputs), ready for the `_macros.html` form macros."""

    key: str
    name: str
    label: str
    widget: str
    required: bool = False
    description: str = ""
    value: Any = None
    error: str | None = None
    choices: list[Choice] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    columns: list[Field] = field(default_factory=list)
    rows: list[list[Field]] = field(default_factory=list)
    fixed_rows: bool = False
    readonly: bool = False

    @property
    def id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.name)

    @property
    def text(self) -> str:
        """The value as an input's `value` attribute shows it."""
        return to_token(self.value) if self.value is not None else ""

    def is_chosen(self, choice: Choice) -> bool:
        if isinstance(self.value, list):
            return choice.token in {to_token(v) for v in self.value}
        return self.value is not None and to_token(self.value) == choice.token

    @property
    def has_error(self) -> bool:
        return bool(self.error) or any(c.error for row in self.rows for c in row)


def to_token(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def choices_of(prop: Mapping[str, Any]) -> list[Choice]:
    """The options of a choice property, labelled in the user's language."""
    options = prop.get("oneOf") or prop.get("anyOf") or []
    found = [Choice(to_token(o["const"]), o["const"], schema_text(o.get("title")) or to_token(o["const"]))
             for o in options if isinstance(o, Mapping) and "const" in o]
    if found:
        return found
    if "enum" in prop:
        names = prop.get("x-enumNames") or prop.get("enumNames") or []
        return [Choice(to_token(v), v, schema_text(names[i]) if i < len(names) else to_token(v))
                for i, v in enumerate(prop["enum"])]
    if prop.get("type") == "boolean":
        return [Choice("true", True, _("Yes")), Choice("false", False, _("No"))]
    return []


def widget_of(key: str, prop: Mapping[str, Any], store_choices: bool = False) -> str:
    """Which input a property gets; `x-widget` in the schema overrides the guess."""
    if prop.get("x-widget"):
        return str(prop["x-widget"])
    kind = prop.get("type")
    if kind == "array":
        items = prop.get("items") or {}
        if items.get("type") == "object":
            return "rows"
        if key in FILE_KEYS:
            return "files"
        if choices_of(items) or (key in STORE_KEYS and store_choices):
            return "checkboxes"
        return "lines"
    if kind == "boolean" and prop.get("const") is True:
        return "confirm"
    if key in STORE_KEYS and store_choices and not choices_of(prop):
        return "select"
    options = choices_of(prop)
    if options:
        return "radio" if len(options) <= 5 and kind != "integer" else "select"
    if kind == "integer":
        return "integer"
    if kind == "number":
        return "number"
    fmt = prop.get("format")
    if fmt in ("date", "date-time", "email"):
        return {"date": "date", "date-time": "datetime", "email": "email"}[fmt]
    if key.endswith("phone"):
        return "tel"
    if (prop.get("maxLength") or 0) > 200:
        return "textarea"
    return "text"


def _attrs(widget: str, prop: Mapping[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if widget in ("text", "textarea", "tel", "email") and prop.get("maxLength"):
        attrs["maxlength"] = prop["maxLength"]
    if widget in ("integer", "number"):
        for word in ("minimum", "maximum"):
            if word in prop:
                attrs[word[:3]] = prop[word]
        attrs["step"] = "1" if widget == "integer" else "any"
        attrs["inputmode"] = "numeric" if widget == "integer" else "decimal"
    if widget == "tel":
        attrs["inputmode"] = "tel"
        attrs["autocomplete"] = "off"
    if widget == "textarea":
        attrs["rows"] = 6 if (prop.get("maxLength") or 0) >= 1000 else 3
    return attrs


def build_fields(schema: Mapping[str, Any] | None, values: Mapping[str, Any],
                 errors: Mapping[str, str] | None = None,
                 extra_choices: Mapping[str, list[Choice]] | None = None) -> list[Field]:
    """The writable fields of a form, filled with `values` and carrying their error messages.

    `errors` maps dotted paths to messages: the engine's (translated here from the schema's limits)
    or ready-made ones (see `localize_errors`).
    """
    if not schema:
        return []
    messages = localize_errors(schema, errors or {})
    extra_choices = extra_choices or {}
    required = set(schema.get("required") or [])
    fields = []
    for key, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, Mapping) and not prop.get("readOnly"):
            fields.append(_field(key, key, prop, key in required, values.get(key), messages, extra_choices))
    return fields


class Ready(str):
    """A message already in the user's language (an upload refusal), not to be translated again."""


def localize_errors(schema: Mapping[str, Any], errors: Mapping[str, str]) -> dict[str, str]:
    """Each path's message in the user's language, worded from the limits of the schema it breaks."""
    return {path: str(m) if isinstance(m, Ready) else
            error_text(schema_at(schema, path), m, lambda name, path=path: _title_near(schema, path, name))
            for path, m in errors.items()}


def _title_near(schema: Mapping[str, Any], path: str, name: str) -> str:
    """The label of the field `name` as a rule at `path` reads it: its own row's first, then outward."""
    parts = path.split(".")[:-1]
    while True:
        node = schema_at(schema, ".".join(parts)) if parts else schema
        prop = (node.get("properties") or {}).get(name)
        if isinstance(prop, Mapping):
            return schema_text(prop.get("title")) or name
        if not parts:
            return name
        parts.pop()


def _field(key: str, name: str, prop: Mapping[str, Any], required: bool, value: Any,
           errors: Mapping[str, str], extra_choices: Mapping[str, list[Choice]]) -> Field:
    widget = widget_of(key, prop, key in extra_choices)
    if value is None and "default" in prop:
        value = prop["default"]
    choices = choices_of(prop.get("items") or {}) if widget == "checkboxes" else choices_of(prop)
    description = schema_text(prop.get("description"))
    if key in extra_choices and not choices:
        choices, description = extra_choices[key], ""  # a list to pick from needs no format hint
    result = Field(key=key, name=name, label=schema_text(prop.get("title")) or key, widget=widget,
                   required=required, description=description, value=value,
                   choices=choices, attrs=_attrs(widget, prop), readonly=bool(prop.get("readOnly")))
    if name in errors:
        result.error = errors[name]
    if widget == "rows":
        _fill_rows(result, prop, value, errors, extra_choices)
    elif widget == "confirm":
        result.choices = [Choice("true", True, result.label)]
    return result


def _fill_rows(result: Field, prop: Mapping[str, Any], value: Any, errors: Mapping[str, str],
               extra_choices: Mapping[str, list[Choice]]) -> None:
    item = prop.get("items") or {}
    columns = item.get("properties") or {}
    needed = set(item.get("required") or [])
    result.fixed_rows = rows_fixed(prop)
    result.columns = [_field(col, f"{result.name}.__index__.{col}", c, col in needed, None, {}, extra_choices)
                      for col, c in columns.items()]
    rows = [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []
    if not rows and not result.fixed_rows:
        rows = [{}]
    result.rows = [[_field(col, f"{result.name}.{i}.{col}", c, col in needed, row.get(col), errors,
                           extra_choices) for col, c in columns.items()] for i, row in enumerate(rows)]
    result.attrs = {"data-max-rows": prop.get("maxItems", 100)}


def unplaced_errors(fields: list[Field], errors: Mapping[str, str], schema: Mapping[str, Any] | None
                    ) -> list[str]:
    """Errors that belong to no input (the whole form, a read-only field): shown above the form."""
    placed = {f.name for f in fields}
    placed |= {c.name for f in fields for row in f.rows for c in row}
    return [m for path, m in localize_errors(schema or {}, errors).items() if path not in placed]


def field_errors(fields: list[Field]) -> list[tuple[str, str, str]]:
    """(input id, label, message) of every field with an error, for the summary above a form."""
    found = []
    for f in fields:
        if f.error:
            found.append((f.id + ("-1" if f.widget == "radio" and f.choices else ""), f.label, f.error))
        for number, row in enumerate(f.rows, 1):
            for c in row:
                if c.error:
                    found.append((c.id, f"{f.label} · {number} · {c.label}", c.error))
    return found


def schema_at(schema: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    """The sub-schema an error path points to (`items.0.quantity`), or {} when there is none."""
    node: Any = schema
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return {}
        if part.isdigit() and node.get("type") == "array":
            node = node.get("items") or {}
        else:
            node = (node.get("properties") or {}).get(part, {})
    return node if isinstance(node, Mapping) else {}


# -- parsing a posted form ------------------------------------------------------------------------

def parse_submission(schema: Mapping[str, Any] | None, form: Any, original: Mapping[str, Any] | None = None,
                     tz: str = "UTC") -> dict[str, Any]:
    """Typed JSON from a posted form. Unreadable input is kept as typed, for the engine to refuse
    with a message beside the field; nothing is validated here. A date-time without an offset is
    wall time in `tz`, the person's time zone."""
    data: dict[str, Any] = {}
    if not schema:
        return data
    original = original or {}
    for key, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, Mapping) or prop.get("readOnly"):
            continue
        value = _parse(key, key, prop, form, original.get(key), tz)
        if value is not MISSING:
            data[key] = value
    return data


def _parse(key: str, name: str, prop: Mapping[str, Any], form: Any, original: Any, tz: str) -> Any:
    widget = widget_of(key, prop, key in STORE_KEYS)
    if widget == "rows":
        return _parse_rows(name, prop, form, original, tz)
    if widget in ("checkboxes", "files"):
        chosen = [v for v in form.getlist(name) if v.strip()]
        options = {c.token: c.value for c in choices_of(prop.get("items") or {})}
        return [options.get(v, v) for v in chosen] if chosen or name + ".__present__" in form else MISSING
    if widget == "lines":
        text = form.get(name, "")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines if lines else MISSING
    raw = form.get(name)
    if raw is None:
        return MISSING
    raw = raw.strip()
    if not raw:
        return MISSING
    if widget in ("radio", "select", "confirm"):
        options = {c.token: c.value for c in choices_of(prop)}
        if widget == "confirm":
            options = {"true": True}
        if raw in options:
            return options[raw]
    if prop.get("type") in ("integer", "number"):
        return _number(raw, prop.get("type") == "integer")
    if widget == "datetime":
        return _local_datetime(raw, tz)
    return raw


def _number(raw: str, integer: bool) -> Any:
    text = unicodedata.normalize("NFKC", raw).replace(",", "").replace(" ", "").lstrip("¥￥")
    try:
        number = float(text) if re.search(r"[.eE]", text) else int(text)
    except ValueError:
        return raw
    if isinstance(number, float) and not math.isfinite(number):
        return raw  # "1e999" is no number a case can hold: the engine refuses the text beside the field
    if isinstance(number, float) and number.is_integer() and integer:
        return int(number)
    return number


def _local_datetime(raw: str, tz: str) -> str:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.isoformat()


def _parse_rows(name: str, prop: Mapping[str, Any], form: Any, original: Any, tz: str) -> Any:
    item = prop.get("items") or {}
    columns = item.get("properties") or {}
    fixed = rows_fixed(prop)
    prefix = name + "."
    indices = sorted({int(m["index"]) for k in form.keys() if k.startswith(prefix)
                      for m in [_ROW_KEY.match(k[len(prefix):])] if m})
    if not indices and name + ".__present__" not in form:
        return MISSING
    known = original if isinstance(original, list) else []
    rows = []
    for index in indices:
        row: dict[str, Any] = {}
        for col, c in columns.items():
            if fixed and c.get("readOnly"):
                if index < len(known) and isinstance(known[index], Mapping) and col in known[index]:
                    row[col] = known[index][col]
                continue
            value = _parse(col, f"{name}.{index}.{col}", c, form, None, tz)
            if value is not MISSING:
                row[col] = value
        writable = [c for c, s in columns.items() if not (fixed and s.get("readOnly"))]
        if fixed or any(c in row for c in writable):
            rows.append(row)
    return rows

