"""The totals under a table of line items: counts and amounts summed, prices not, and the table's
amount from the quantity that money is owed for (accepted before received before asked)."""
from __future__ import annotations

from webapp.ui.line_totals import amount_total, column_totals

COLUMNS = [("sku", {"type": "string"}), ("quantity", {"type": "integer"}),
           ("unit_price", {"type": "number"}), ("accepted_quantity", {"type": "integer"}),
           ("line_credit", {"type": "number"})]
ROWS = [{"sku": "A-1", "quantity": 1200, "unit_price": 199.5, "accepted_quantity": 1000, "line_credit": 10.5},
        {"sku": "B-2", "quantity": 2, "unit_price": 399, "accepted_quantity": None, "line_credit": 0}]


def test_counts_and_amounts_are_summed_but_not_names_or_prices(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert column_totals(COLUMNS, ROWS) == ("", "1,202", "", "1,000", "¥10.50")


def test_the_amount_counts_what_was_accepted(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert amount_total(COLUMNS, ROWS) == "¥199,500.00"  # B-2's accepted quantity is unknown: not counted
        asked = [c for c in COLUMNS if c[0] != "accepted_quantity"]
        assert amount_total(asked, ROWS) == "¥240,198.00"
        assert amount_total([("sku", {}), ("quantity", {"type": "integer"})], ROWS) == ""
        assert column_totals(COLUMNS, []) == ("", "", "", "", "")
