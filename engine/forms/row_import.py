"""Rows of a form's list read from a spreadsheet, an Excel workbook or saved as CSV (a stocktake's
count sheet): a list property marked `"x-import": "csv"` may be filled from a file whose first row
names the columns, by property key or by its title (`款号（SKU）`), as people keep them in Excel.

CSV is read as UTF-8 (with or without Excel's byte-order mark), else as GB18030, the encoding
Chinese Excel saves CSV in; a workbook's first sheet is read by `workbook.py`. Each cell is turned
into its column's type; the rows are then checked by the form like any submission, so this only
refuses what cannot be read: no such list, a file too large, a header that names none of the
columns, a number that is not one (naming row and column).
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from typing import Any, Iterable, Mapping, Sequence

from engine.errors import InvalidData

from .workbook import is_workbook, table_from_xlsx

IMPORT = "x-import"
#: A count sheet is small; a larger file is not one.
MAX_BYTES = 1_000_000


def importable(schema: Mapping[str, Any] | None) -> list[str]:
    """The list properties of a form that may be filled from a CSV file."""
    props = (schema or {}).get("properties") or {}
    return [k for k, p in props.items() if isinstance(p, Mapping) and p.get(IMPORT) == "csv"
            and p.get("type") == "array" and not p.get("readOnly")]


def sheet_header(schema: Mapping[str, Any], field: str) -> list[str]:
    """The first row of an empty count sheet for list `field`: the titles of the columns a person
    fills in (their keys where untitled), as the reader recognises them."""
    if field not in importable(schema):
        raise InvalidData(f"{field} cannot be filled from a file", {"field": "invalid"})
    props = (schema["properties"][field].get("items") or {}).get("properties") or {}
    return [str(p.get("title") or k).strip() for k, p in props.items()
            if isinstance(p, Mapping) and not p.get("readOnly")]


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


def _typed(value: Any, prop: Mapping[str, Any]) -> Any:
    """A workbook's cell as the text a CSV would hold, unless it is already what the column wants."""
    number_column = prop.get("type") in ("integer", "number")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if number_column:
            return value
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, datetime):
        if prop.get("format") == "date-time":
            return value.isoformat()
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return "" if value is None else str(value)


def _cell(value: Any, prop: Mapping[str, Any], where: str, fields: dict[str, str]) -> Any:
    kind = prop.get("type")
    if kind in ("integer", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if kind == "integer" and float(value).is_integer() else value
    value = _typed(value, prop).strip()
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


def rows_from_file(schema: Mapping[str, Any], field: str, content: bytes,
                   filename: str = "") -> list[dict[str, Any]]:
    """The rows of list `field` an uploaded count sheet holds, an Excel workbook (.xlsx) or CSV."""
    if field not in importable(schema):
        raise InvalidData(f"{field} cannot be filled from a file", {"field": "invalid"})
    if len(content) > MAX_BYTES:
        raise InvalidData(f"the file is larger than {MAX_BYTES // 1000} kB", {"file": "too_large"})
    if not is_workbook(content, filename):
        return rows_from_csv(schema, field, content)
    table = table_from_xlsx(content)
    return _rows(schema, field, ["" if h is None else str(h) for h in next(table, [])], table)


def rows_from_csv(schema: Mapping[str, Any], field: str, content: bytes) -> list[dict[str, Any]]:
    """The rows of list `field` the file holds; blank lines are skipped, unknown columns ignored."""
    if field not in importable(schema):
        raise InvalidData(f"{field} cannot be filled from a file", {"field": "invalid"})
    reader = csv.reader(io.StringIO(_text(content)))
    return _rows(schema, field, next(reader, []), reader)


def _rows(schema: Mapping[str, Any], field: str, header: Sequence[str],
          lines: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    list_schema = schema["properties"][field]
    props: Mapping[str, Any] = (list_schema.get("items") or {}).get("properties") or {}
    names = {k: k for k in props} | {str(p.get("title", "")).strip(): k for k, p in props.items()
                                     if p.get("title") and not p.get("readOnly")}
    columns = [names.get(h.strip().lstrip("\ufeff")) for h in header]
    if not any(columns):
        raise InvalidData("the first row names none of the columns", {"file": "header"})
    rows: list[dict[str, Any]] = []
    fields: dict[str, str] = {}
    for line in lines:
        if not any(cell.strip() if isinstance(cell, str) else cell is not None for cell in line):
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
