"""The cells of an Excel workbook (.xlsx) for a list filled from a file: people keep count sheets in
Excel, and saving as CSV first loses nothing but time. Only the first sheet is read, as typed values
(numbers and dates from the cells, not as Excel shows them).

A formula counts by the value Excel saved with it; a formula with no saved value (the file was
written by a program that does not calculate) is refused naming its cell rather than read as blank.
The file is a zip: its unpacked size is bounded too, so a small upload cannot unpack to gigabytes.
"""
from __future__ import annotations

import io
import zipfile
from typing import Any, Iterator

from engine.errors import InvalidData

#: What the parts of a count sheet may unpack to (a 500-row sheet is well under 1 MB).
MAX_UNPACKED = 20_000_000
#: Columns read from each row: a count sheet has a handful; the rest of a wide sheet is ignored.
MAX_COLUMNS = 60
#: Rows read, blank ones too: a sheet of a million empty rows is small when zipped, slow when read.
MAX_SHEET_ROWS = 10_000
NOT_XLSX = "the file is not an Excel workbook (.xlsx)"
OLD_XLS = "the file is an old Excel workbook (.xls): save it as .xlsx or CSV"

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def is_workbook(content: bytes, filename: str = "") -> bool:
    """Whether the upload is meant as a workbook: by its bytes, else by its name."""
    name = filename.lower()
    return (content.startswith(ZIP_MAGIC) or content.startswith(OLE_MAGIC)
            or name.endswith((".xlsx", ".xlsm", ".xls")))


def _check_archive(content: bytes) -> None:
    if content.startswith(OLE_MAGIC):  # .xls, or an .xlsx with a password: neither is readable here
        raise InvalidData(OLD_XLS, {"file": "invalid"})
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        raise InvalidData(NOT_XLSX, {"file": "invalid"}) from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise InvalidData(NOT_XLSX, {"file": "invalid"})
    if unpacked > MAX_UNPACKED:
        raise InvalidData(f"the file is larger than {MAX_UNPACKED // 1000} kB unpacked",
                          {"file": "too_large"})


def _first_sheet(content: bytes, values: bool) -> Any:
    from openpyxl import load_workbook  # imported when a workbook comes, not at every start

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=values)
    return book, book.worksheets[0]


def table_from_xlsx(content: bytes) -> Iterator[list[Any]]:
    """The first sheet's rows as lists of typed cells (None for an empty one), header first.
    InvalidData names the cell of a formula Excel saved no value for."""
    _check_archive(content)
    try:
        book, sheet = _first_sheet(content, values=True)
        formulas_book, formulas = _first_sheet(content, values=False)
    except InvalidData:
        raise
    except Exception:  # openpyxl raises many kinds (KeyError, XML errors…) on a damaged file
        raise InvalidData(NOT_XLSX, {"file": "invalid"}) from None
    try:
        unsaved: list[str] = []
        pairs = zip(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True),
                    formulas.iter_rows(max_col=MAX_COLUMNS))
        for number, (row, cells) in enumerate(pairs, start=1):
            if number > MAX_SHEET_ROWS:
                raise InvalidData(f"the file has more than {MAX_SHEET_ROWS} rows", {"file": "too_many"})
            line = list(row)
            for cell, value in zip(cells, line):
                if value is None and isinstance(cell.value, str) and cell.value.startswith("="):
                    unsaved.append(cell.coordinate)
            if unsaved:
                raise InvalidData("formulas with no saved value (open the file in Excel and save it): "
                                  + ", ".join(unsaved), {"file": "invalid"})
            yield line
    except InvalidData:
        raise
    except Exception:
        raise InvalidData(NOT_XLSX, {"file": "invalid"}) from None
    finally:
        book.close()
        formulas_book.close()


def xlsx_of(rows: list[list[Any]], title: str = "Sheet1") -> bytes:
    """A workbook of one sheet holding `rows`: an empty count sheet for people to fill in Excel."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
