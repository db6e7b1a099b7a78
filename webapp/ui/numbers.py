"""Money and quantities as people in the locale write them: ¥1,234.50 (English: CN¥1,234.50) and 1,234.

Forms do not type their numbers as money; a field is money when its schema says so
(`"x-format": "money"`), when its title is in yuan ("退货金额（元）"), or when its key names an
amount, price, budget or cost. Everything else numeric is a quantity.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Mapping

from flask_babel import format_currency, format_decimal

#: The currency every amount in the catalogue is in.
CURRENCY = "CNY"
_MONEY_KEY = re.compile(r"(?:^|_)(?:amount|price|budget|cost|fee)(?:_|$)")


def is_money(key: str, prop: Mapping[str, Any]) -> bool:
    if prop.get("x-format") == "money":
        return True
    if prop.get("type") not in ("number", "integer"):
        return False
    title = prop.get("title")
    return (isinstance(title, str) and "元" in title) or bool(_MONEY_KEY.search(key))


def money(value: Any) -> str:
    """An amount with its currency sign and two decimals; what is not a number is shown as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return "" if value is None else str(value)
    return format_currency(value, CURRENCY)


def number(value: Any) -> str:
    """A quantity with the locale's thousands separators."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return "" if value is None else str(value)
    return format_decimal(value)
