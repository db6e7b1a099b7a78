"""Money and quantities as the locale writes them (webapp/ui/numbers.py) and where the case shows them."""
from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale

from webapp.ui.case_text import show
from webapp.ui.numbers import is_money, money, number


@pytest.fixture
def ctx(app):
    with app.test_request_context("/"):
        yield


def test_money_in_chinese_and_english(ctx):
    assert money(1234.5) == "¥1,234.50" and money(399.5) == "¥399.50" and money(0) == "¥0.00"
    with force_locale("en"):
        assert money(1234.5) == "CN¥1,234.50"
    assert money(None) == "" and money("n/a") == "n/a" and money(True) == "True"


def test_quantities_have_thousands_separators(ctx):
    assert number(1234567) == "1,234,567" and number(3) == "3" and number(None) == ""


def test_which_fields_are_money():
    assert is_money("refund_total", {"type": "number", "title": "退货金额（元）"})
    assert is_money("compensation_amount", {"type": "number", "title": "赔付"})
    assert is_money("unit_price", {"type": "number"}) and is_money("budget", {"type": "integer"})
    assert is_money("x", {"type": "string", "x-format": "money"})
    assert not is_money("affected_quantity", {"type": "integer", "title": "数量（件）"})
    assert not is_money("amount_note", {"type": "string", "title": "金额说明（元）"})


def test_the_case_shows_amounts_as_money_and_marks_numbers_for_right_alignment(ctx):
    shown = show("amount_claimed", {"type": "number", "title": "索赔金额（元）"}, 399.5)
    assert (shown.text, shown.numeric) == ("¥399.50", True)
    lines = show("items", {"type": "array", "items": {"type": "object", "properties": {
        "sku": {"type": "string", "title": "SKU"}, "quantity": {"type": "integer", "title": "数量"},
        "unit_price": {"type": "number", "title": "单价（元）"}}}},
        [{"sku": "A-1", "quantity": 1200, "unit_price": 1999}])
    assert lines.rows == (("A-1", "1,200", "¥1,999.00"),) and lines.numeric_columns == (False, True, True)
    html = render_template_string("{% from '_macros.html' import shown %}{{ shown(items) }}",
                                  items=[shown, lines])
    assert '<span class="num">¥399.50</span>' in html
    assert '<td data-label="单价（元）" class="num"><span>¥1,999.00</span></td>' in html


def test_the_filters(ctx):
    assert render_template_string("{{ 1234.5|money }} {{ 12345|number }}") == "¥1,234.50 12,345"
