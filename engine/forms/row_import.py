"""Rows of a form's list read from a spreadsheet saved as CSV (a stocktake's count sheet): a list
property marked `"x-import": "csv"` may be filled from a file whose first row names the columns,
by property key or by its title (`款号（SKU）`), as people export them from Excel.

The file is read as UTF-8 (with or without Excel's byte-order mark), else as GB18030, the encoding
Chinese Excel saves CSV in. Each cell is turned into its column's type; the rows are then checked
by the form like any submission, so this only refuses what cannot be read: no such list, a file
too large, a header that names none of the columns, a number that is not one (naming row and column).
"""
from __future__ import annotations

import csv
import io
from typing import Any, Mapping

from engine.errors import InvalidData

IMPORT = "x-import"
#: A count sheet is small; a larger file is not one.
MAX_BYTES = 1_000_000


def importable(schema: Mapping[str, Any] | None) -> list[str]:
    """The list properties of a form that may be filled from a CSV file."""
    props = (schema or {}).get("properties") or {}
    return [k for k, p in props.items() if isinstance(p, Mapping) and p.get(IMPORT) == "csv"
            and p.get("type") == "array" and not p.get("readOnly")]


def check_import(schema: Mapping[str, Any]) -> None:
    """Deploy's check: `x-import` only on a writable list of objects, and only `csv`."""
    for key, prop in ((schema.get("properties") or {}).items()):
        if not isinstance(prop, Mapping) or IMPORT not in prop:
            continue
        items = prop.get("items") or {}
        if prop.get(IMPORT) != "csv" or prop.get("type") != "array" or items.get("type") != "object":
            raise ValueError(f"{key}: x-import must be 'csv' on a list of objects")


def _text(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise InvalidData(f"the file is larger than {MAX_BYTES // 1000} kB", {"file": "too_large"})
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("gb18030")
        except UnicodeDecodeError:
            raise InvalidData("the file is not CSV text", {"file": "invalid"}) from None


def _cell(value: str, prop: Mapping[str, Any], where: str, fields: dict[str, str]) -> Any:
    value = value.strip()
    kind = prop.get("type")
    if kind not in ("integer", "number"):
        return value
    if value == "":
        return None
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        fields[where] = "not a number"
        return value
    return int(number) if kind == "integer" and number.is_integer() else number


def rows_from_csv(schema: Mapping[str, Any], field: str, content: bytes) -> list[dict[str, Any]]:
    """The rows of list `field` the file holds; blank lines are skipped, unknown columns ignored."""
    if field not in importable(schema):
        raise InvalidData(f"{field} cannot be filled from a file", {"field": "invalid"})
    list_schema = schema["properties"][field]
    props: Mapping[str, Any] = (list_schema.get("items") or {}).get("properties") or {}
    names = {k: k for k in props} | {str(p.get("title", "")).strip(): k for k, p in props.items()
                                     if p.get("title") and not p.get("readOnly")}
    reader = csv.reader(io.StringIO(_text(content)))
    header = next(reader, [])
    columns = [names.get(h.strip().lstrip("\ufeff")) for h in header]
    if not any(columns):
        raise InvalidData("the first row names none of the columns", {"file": "header"})
    rows: list[dict[str, Any]] = []
    fields: dict[str, str] = {}
    for line in reader:
        if not any(cell.strip() for cell in line):
            continue
        row: dict[str, Any] = {}
        for column, cell in zip(columns, line):
            if column is not None:
                value = _cell(cell, props[column], f"{field}.{len(rows)}.{column}", fields)
                if value not in (None, ""):
                    row[column] = value
        rows.append(row)
        if len(rows) > int(list_schema.get("maxItems", 1000)):
            raise InvalidData(f"the file has more than {list_schema.get('maxItems', 1000)} rows",
                              {field: "too_many"})
    if fields:
        raise InvalidData("cells that are not numbers: " + ", ".join(sorted(fields)), fields)
    return rows
