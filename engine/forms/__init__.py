"""The form is the write contract: a step's submission checked against its JSON Schema, the fields
it may write at every depth, and the business rules declared beside it."""
from .row_import import importable, rows_from_csv, rows_from_file, sheet_header
from .validation import NOT_FINITE, check_form, clean, refuse_non_finite
from .workbook import xlsx_of
from .writes import draft_values, rows_fixed, writable_schema

__all__ = ["NOT_FINITE", "check_form", "clean", "draft_values", "importable", "refuse_non_finite",
           "rows_fixed", "rows_from_csv", "rows_from_file", "sheet_header", "writable_schema", "xlsx_of"]
