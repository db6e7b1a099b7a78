"""Many rows in one PostgreSQL statement whose text is the same for any number of them: the rows as one
JSON document, `INSERT ... SELECT FROM json_to_recordset(...)`.

A multi-row VALUES list is a new statement for every row count, with one parameter per value; psycopg
keeps the parsed form only of statements with at most 50 parameters, so it parsed the dashboard's cells
of every complete again. One array per column (`unnest`) kept one text, but psycopg builds each array in
Python: 25 arrays for a complete's audit events and dashboard cells. One JSON document, written by
orjson, is one text parameter. The two statements of a complete (6 events, 8 cells), against binary
arrays: 350 → 222 µs of the app's CPU, 667 → 556 µs of PostgreSQL's (its backend's /proc counters),
990 → 770 µs of wall time.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Table
from sqlalchemy.engine import Connection, Dialect


def _json_text(value: Any) -> str:
    """A JSON column's value as its own text: `None` is JSON `null`, as SQLAlchemy's JSON type writes it
    (inside the document a bare null would become SQL NULL)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def bind_processor(kind: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """What a value of a column of type `kind` is sent as, as SQLAlchemy would send it; a JSON value as
    its JSON text."""
    return _json_text if isinstance(kind, JSON) else kind.dialect_impl(dialect).bind_processor(dialect)


class BatchInsert:
    """`INSERT INTO table (columns) SELECT ... FROM json_to_recordset(rows) <suffix>` for PostgreSQL;
    each value goes through its column type's bind processing (UTC datetimes) as SQLAlchemy's would, and
    a JSON column's value is written as JSON text and cast back."""

    def __init__(self, table: Table, columns: Sequence[str], suffix: str = "") -> None:
        self.table, self.columns, self.suffix = table, tuple(columns), suffix
        self.insert = table.insert()  # SQLAlchemy's own, for the other databases
        self._compiled: dict[str, tuple[str, list[Callable[[Any], Any] | None]]] = {}

    def _for(self, dialect: Dialect) -> tuple[str, list[Callable[[Any], Any] | None]]:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            quote = dialect.identifier_preparer.quote  # the document's keys are the names as they are
            names: list[str] = []
            fields: list[str] = []
            values: list[str] = []
            processors: list[Callable[[Any], Any] | None] = []
            for name in self.columns:
                kind = self.table.c[name].type
                column, sql_type = quote(name), kind.compile(dialect=dialect)
                as_json = isinstance(kind, JSON)
                names.append(column)
                fields.append(f"{column} {'text' if as_json else sql_type}")
                values.append(f"{column}::{sql_type}" if as_json else column)
                processors.append(bind_processor(kind, dialect))
            sql = (f"INSERT INTO {quote(self.table.name)} ({', '.join(names)}) SELECT {', '.join(values)} "
                   f"FROM json_to_recordset(%s::json) AS batch({', '.join(fields)}) {self.suffix}").rstrip()
            compiled = self._compiled[dialect.name] = (sql, processors)
        return compiled

    def statement(self, dialect: Dialect) -> str:
        return self._for(dialect)[0]

    def document(self, dialect: Dialect, rows: Sequence[Sequence[Any]]) -> str:
        """The statement's one parameter: `rows` (values in `columns`' order) as a JSON array."""
        processors = self._for(dialect)[1]
        return orjson.dumps([
            {name: process(value) if process is not None else value
             for name, value, process in zip(self.columns, row, processors)} for row in rows]).decode()

    def execute(self, connection: Connection, rows: Sequence[Sequence[Any]]) -> None:
        """Insert `rows` (values in `columns`' order), in their order; nothing for no rows."""
        if not rows:
            return
        dialect = connection.dialect
        connection.exec_driver_sql(self.statement(dialect), (self.document(dialect, rows),))


Part = tuple[BatchInsert, Sequence[Sequence[Any]]]
_TOGETHER: dict[tuple[BatchInsert, ...], str] = {}


def insert_together(connection: Connection, parts: Sequence[Part]) -> None:
    """The rows of several tables in one round trip: on PostgreSQL one statement, every insert but the
    last a data-modifying `WITH` (each runs once, whether or not anything reads it); elsewhere an insert
    per table, in their order. The tables must not refer to each other's new rows: PostgreSQL runs the
    parts of one statement against the same snapshot, in no set order."""
    present = [(batch, rows) for batch, rows in parts if rows]
    if not present:
        return
    dialect = connection.dialect
    if dialect.name != "postgresql":
        for batch, rows in present:
            connection.execute(batch.insert, [dict(zip(batch.columns, row)) for row in rows])
        return
    key = tuple(batch for batch, _ in present)
    sql = _TOGETHER.get(key)
    if sql is None:
        *first, last = (batch.statement(dialect) for batch in key)
        with_parts = ", ".join(f"part_{n} AS ({text})" for n, text in enumerate(first))
        sql = _TOGETHER[key] = f"WITH {with_parts} {last}" if first else last
    connection.exec_driver_sql(sql, tuple(batch.document(dialect, rows) for batch, rows in present))
