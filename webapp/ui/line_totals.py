"""The totals under a table of line items (收货检验明细, 退货明细...), so a phone reader who sees the
rows as stacked cards still gets the sum without adding them up.

Counts (integer columns) and amounts (number columns other than a unit price) are summed per column;
where a row has a quantity and a unit price, their products make the amount of the whole table.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from flask_babel import format_currency, format_decimal

_UNIT_PRICE = ("unit_price", "price")
_QUANTITY = ("accepted_quantity", "received_quantity", "quantity")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _summed(key: str, prop: Mapping[str, Any]) -> bool:
    if prop.get("type") == "integer":
        return True
    return prop.get("type") == "number" and key not in _UNIT_PRICE


def column_totals(columns: Sequence[tuple[str, Mapping[str, Any]]],
                  rows: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """One formatted sum per column, '' for the columns a sum means nothing in (names, prices)."""
    totals: list[str] = []
    for key, prop in columns:
        values = [_number(row.get(key)) for row in rows]
        present = [v for v in values if v is not None]
        if not _summed(key, prop) or not present:
            totals.append("")
        elif prop.get("type") == "integer":
            totals.append(format_decimal(int(sum(present))))
        else:
            totals.append(format_currency(sum(present), "CNY"))
    return tuple(totals)


def amount_total(columns: Sequence[tuple[str, Mapping[str, Any]]], rows: Sequence[Mapping[str, Any]]) -> str:
    """Σ quantity × unit price over the rows, as money; '' when the table has no such pair. The quantity
    is the first of accepted, received, ordered that the table has: what the money is owed for."""
    keys = {key for key, _prop in columns}
    price = next((k for k in _UNIT_PRICE if k in keys), None)
    quantity = next((k for k in _QUANTITY if k in keys), None)
    if price is None or quantity is None:
        return ""
    total = 0.0
    for row in rows:
        q, p = _number(row.get(quantity)), _number(row.get(price))
        if q is not None and p is not None:
            total += q * p
    return format_currency(total, "CNY")
