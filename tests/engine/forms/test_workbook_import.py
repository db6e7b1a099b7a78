"""A count sheet kept in Excel (.xlsx) read like its CSV: the first sheet, columns by key or title,
numbers and dates from the cells, a formula by the value Excel saved, and refusals naming what
cannot be read (the same wordings as CSV where the fault is the same)."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from engine.errors import InvalidData
from engine.forms import rows_from_file, sheet_header, xlsx_of

ITEM = {"type": "object", "properties": {
    "sku": {"type": "string", "title": "款号（SKU）"}, "name": {"type": "string", "title": "品名"},
    "counted_quantity": {"type": "integer", "title": "实盘数量（件）"},
    "unit_cost": {"type": "number", "title": "成本单价（元）"},
    "counted_on": {"type": "string", "format": "date", "title": "盘点日期"}}}
FORM = {"type": "object", "properties": {
    "count_lines": {"type": "array", "maxItems": 3, "x-import": "csv", "items": ITEM}}}
HEADER = ["款号（SKU）", "品名", "实盘数量（件）", "成本单价（元）", "备注"]


def xlsx(*rows, sheets: int = 1) -> bytes:
    book = Workbook()
    if sheets > 1:  # the count is on the first sheet; a second one holds something else
        book.create_sheet("其他").append(["sku", "counted_quantity"])
        book["其他"].append(["NOT-READ", 1])
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_first_sheet_by_title_with_typed_cells():
    content = xlsx(HEADER, ["W26-CT-3005", "双面羊绒大衣", 18, 620, "x"], [None] * 5,
                   [3005, "羊毛针织开衫", 41.0, 150.5], sheets=2)
    assert rows_from_file(FORM, "count_lines", content, "盘点表.xlsx") == [
        {"sku": "W26-CT-3005", "name": "双面羊绒大衣", "counted_quantity": 18, "unit_cost": 620},
        {"sku": "3005", "name": "羊毛针织开衫", "counted_quantity": 41, "unit_cost": 150.5}]


def test_columns_by_key_text_numbers_and_dates():
    content = xlsx(["sku", "counted_quantity", "counted_on"], ["A-001", "1,041", datetime(2026, 12, 1)],
                   ["A-002", " 3 ", date(2026, 12, 2)])
    assert rows_from_file(FORM, "count_lines", content) == [
        {"sku": "A-001", "counted_quantity": 1041, "counted_on": "2026-12-01"},
        {"sku": "A-002", "counted_quantity": 3, "counted_on": "2026-12-02"}]


def test_a_formula_counts_by_the_value_excel_saved():
    content = xlsx(["sku", "counted_quantity"], ["A-001", "=9*2"])
    with pytest.raises(InvalidData, match=r"formulas with no saved value.*: B2") as refused:
        rows_from_file(FORM, "count_lines", content)
    assert refused.value.fields == {"file": "invalid"}
    saved = io.BytesIO()  # as Excel saves it: the formula and its value
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(saved, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<f>9\*2</f>(<v\s*/>|<v></v>)?", b"<f>9*2</f><v>18</v>", data)
            target.writestr(item, data)
    assert rows_from_file(FORM, "count_lines", saved.getvalue()) == [{"sku": "A-001", "counted_quantity": 18}]


@pytest.mark.parametrize("rows, message, field", [
    ((["sku", "counted_quantity"], ["A-001", "three"], ["A-002", datetime(2026, 1, 1)]),
     "cells that are not numbers", "count_lines.1.counted_quantity"),
    ((["code", "qty"], ["A-001", 3]), "the first row names none of the columns", "file"),
    ((["sku"], *[[f"A-00{i}"] for i in range(4)]), "more than 3 rows", "count_lines"),
])
def test_the_csv_refusals_name_the_same_cells(rows, message, field):
    with pytest.raises(InvalidData, match=message) as refused:
        rows_from_file(FORM, "count_lines", xlsx(*rows), "sheet.xlsx")
    assert field in refused.value.fields


@pytest.mark.parametrize("content, name, message", [
    (b"PK\x03\x04not really a zip", "sheet.xlsx", "not an Excel workbook"),
    (b"sku,counted_quantity\n", "sheet.xlsx", "not an Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "sheet.xls", "old Excel workbook"),
    (b"sku\n" + b"x" * 1_000_001, "sheet.xlsx", "larger than 1000 kB"),
])
def test_a_damaged_or_foreign_file_is_refused(content, name, message):
    with pytest.raises(InvalidData, match=message) as refused:
        rows_from_file(FORM, "count_lines", content, name)
    assert "file" in refused.value.fields


def test_a_zip_that_is_not_a_workbook_and_one_that_unpacks_too_far():
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(InvalidData, match="not an Excel workbook"):
        rows_from_file(FORM, "count_lines", other.getvalue())
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx(["sku"], ["A"]))) as source, \
            zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
        target.writestr("xl/media/padding.bin", b"\0" * 25_000_000)
    assert len(bomb.getvalue()) < 1_000_000
    with pytest.raises(InvalidData, match="unpacked"):
        rows_from_file(FORM, "count_lines", bomb.getvalue())


def test_csv_still_read_when_named_csv():
    assert rows_from_file(FORM, "count_lines", "sku,counted_quantity\nA,2\n".encode(), "s.csv") == [
        {"sku": "A", "counted_quantity": 2}]


def test_the_empty_sheet_names_the_columns_the_reader_knows():
    header = sheet_header(FORM, "count_lines")
    assert header == ["款号（SKU）", "品名", "实盘数量（件）", "成本单价（元）", "盘点日期"]
    content = xlsx_of([header, ["A-1", "大衣", 2, 10, date(2026, 12, 1)]], "盘点明细")
    assert rows_from_file(FORM, "count_lines", content) == [
        {"sku": "A-1", "name": "大衣", "counted_quantity": 2, "unit_cost": 10, "counted_on": "2026-12-01"}]
    with pytest.raises(InvalidData, match="cannot be filled"):
        sheet_header(FORM, "nothing")


def test_a_sheet_of_endless_blank_rows_is_refused_without_reading_them_all(monkeypatch):
    from engine.forms import workbook
    monkeypatch.setattr(workbook, "MAX_SHEET_ROWS", 5)
    content = xlsx(["sku"], ["A"], *[[" "]] * 6)  # blank to the reader, but rows of the sheet
    with pytest.raises(InvalidData, match="more than 5 rows"):
        rows_from_file(FORM, "count_lines", content)
