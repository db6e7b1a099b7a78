"""A list of a form filled from a CSV file (a stocktake's count sheet): columns by key or title, the
encodings Excel saves in, typed cells, and refusals naming what cannot be read."""
from __future__ import annotations

import pytest

from engine.errors import InvalidData
from engine.forms import check_form, importable, rows_from_csv

ITEM = {"type": "object", "properties": {
    "sku": {"type": "string", "title": "款号（SKU）"}, "name": {"type": "string", "title": "品名"},
    "counted_quantity": {"type": "integer", "title": "实盘数量（件）"},
    "unit_cost": {"type": "number", "title": "成本单价（元）"}}}
FORM = {"type": "object", "properties": {
    "count_lines": {"type": "array", "maxItems": 3, "x-import": "csv", "items": ITEM},
    "other_lines": {"type": "array", "items": ITEM}}}
SHEET = "款号（SKU）,品名,实盘数量（件）,成本单价（元）,备注\nW26-CT-3005,双面羊绒大衣,18,620\n\n" \
        "W26-KN-2031,羊毛针织开衫,\"1,041\",150.5,x\n"
ROWS = [{"sku": "W26-CT-3005", "name": "双面羊绒大衣", "counted_quantity": 18, "unit_cost": 620.0},
        {"sku": "W26-KN-2031", "name": "羊毛针织开衫", "counted_quantity": 1041, "unit_cost": 150.5}]


def test_only_a_marked_list_is_importable():
    assert importable(FORM) == ["count_lines"]
    check_form(FORM)
    with pytest.raises(ValueError, match="x-import"):
        check_form({"type": "object", "properties": {"n": {"type": "integer", "x-import": "csv"}}})


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_columns_by_title_in_the_encodings_excel_saves(encoding):
    assert rows_from_csv(FORM, "count_lines", SHEET.encode(encoding)) == ROWS


def test_columns_by_key_and_missing_cells_left_out():
    text = "sku,counted_quantity\nA-001,3\nA-002,\n"
    assert rows_from_csv(FORM, "count_lines", text.encode()) == [
        {"sku": "A-001", "counted_quantity": 3}, {"sku": "A-002"}]


@pytest.mark.parametrize("content, message, field", [
    (b"sku,counted_quantity\nA-001,three\n", "cells that are not numbers", "count_lines.0.counted_quantity"),
    (b"code,qty\nA-001,3\n", "the first row names none of the columns", "file"),
    (b"sku\n" + b"A-001\n" * 4, "more than 3 rows", "count_lines"),
    (b"sku\n" + b"x" * 1_000_001, "larger than", "file"),
    (b"\xff\xfe\x00\xd8", "not CSV text", "file"),
])
def test_what_cannot_be_read_is_refused_naming_it(content, message, field):
    with pytest.raises(InvalidData, match=message) as refused:
        rows_from_csv(FORM, "count_lines", content)
    assert field in refused.value.fields


def test_a_list_not_marked_is_refused():
    with pytest.raises(InvalidData, match="cannot be filled from a file"):
        rows_from_csv(FORM, "other_lines", SHEET.encode())
