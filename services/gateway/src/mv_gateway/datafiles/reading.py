"""A data file's bytes → its columns and rows, or a refusal naming the part and the reason.

Bounded before parsing: a file over ``MAX_DATA_BYTES`` is refused unread, so the parsers never
see more; rows and columns are counted while the stdlib's reader goes (the first row past
``MAX_DATA_ROWS`` or a row past ``MAX_DATA_COLUMNS`` stops it). CSV: UTF-8 (a byte-order mark
is dropped), the first row names the columns, every row as wide as it, values kept as text.
JSON: an array of objects of scalar values (text, numbers, true/false, null), the columns the
first object's keys, every object with exactly those keys. Column names become variables
(``{{email}}``), so they must be variable names, each once.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mv_contracts.data import MAX_CELL_CHARS, MAX_DATA_BYTES, MAX_DATA_COLUMNS, MAX_DATA_ROWS
from mv_contracts.variables import VARIABLE_NAME
from mv_gateway.core.parsing import BodyRefused, parse

_COLUMN = re.compile(f"^{VARIABLE_NAME}$")
# Arrays of objects of scalars: the array, an object, nothing deeper.
_JSON_DEPTH = 2
BOM = "\ufeff".encode()


class DataFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


class DataRefused(ValueError):
    """Why a file cannot be a data file; ``part`` names where (file, columns, rows.3)."""

    def __init__(self, part: str, reason: str, *, too_big: bool = False) -> None:
        super().__init__(f"{part}: {reason}")
        self.part, self.reason, self.too_big = part, reason, too_big


@dataclass(frozen=True, slots=True)
class DataTable:
    columns: list[str]
    rows: list[list[Any]]


def read_data(body: bytes, data_format: DataFormat) -> DataTable:
    if len(body) > MAX_DATA_BYTES:
        raise DataRefused("file", f"{len(body)} bytes; the limit is {MAX_DATA_BYTES}", too_big=True)
    if not body.strip():
        raise DataRefused("file", "empty")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataRefused(
            "file", f"not UTF-8 (byte {error.start}); save the file as UTF-8"
        ) from None
    if "\x00" in text:
        raise DataRefused("file", "holds a NUL character")
    table = _csv(text) if data_format is DataFormat.CSV else _json(body.removeprefix(BOM))
    if not table.rows:
        raise DataRefused("rows", "no row under the column names")
    return table


def _columns(names: list[Any]) -> list[str]:
    if len(names) > MAX_DATA_COLUMNS:
        raise DataRefused("columns", f"{len(names)} columns; the limit is {MAX_DATA_COLUMNS}")
    seen: set[str] = set()
    for index, name in enumerate(names):
        if not isinstance(name, str) or not _COLUMN.match(name):
            raise DataRefused(
                f"columns.{index}",
                f"{name!r} is not a variable name (a letter or _, then letters, digits or _, "
                "at most 64)",
            )
        if name in seen:
            raise DataRefused(f"columns.{index}", f"{name!r} names two columns")
        seen.add(name)
    return list(names)


def _cell(value: Any, where: str) -> Any:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise DataRefused(where, f"{len(value)} characters; the limit is {MAX_CELL_CHARS}")
    if value is not None and not isinstance(value, str | int | float | bool):
        raise DataRefused(where, "an object or array; a value must be text, a number or a flag")
    return value


def _csv(text: str) -> DataTable:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        columns = _columns([name.strip() for name in header])
        rows: list[list[Any]] = []
        for row in reader:
            if not row:  # a blank line
                continue
            if len(rows) == MAX_DATA_ROWS:
                raise DataRefused("rows", f"more than {MAX_DATA_ROWS} rows")
            where = f"rows.{len(rows)}"
            if len(row) != len(columns):
                raise DataRefused(
                    where, f"{len(row)} values for {len(columns)} columns (line {reader.line_num})"
                )
            rows.append([_cell(v, f"{where}.{c}") for v, c in zip(row, columns, strict=True)])
    except csv.Error as error:
        raise DataRefused("file", f"not CSV: {error} (line {reader.line_num})") from None
    return DataTable(columns, rows)


def _json(body: bytes) -> DataTable:
    try:
        document = parse(body, _JSON_DEPTH)
    except BodyRefused as refused:
        raise DataRefused("file", f"not JSON of an array of objects: {refused}") from None
    if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
        raise DataRefused("file", "not an array of objects")
    if len(document) > MAX_DATA_ROWS:
        raise DataRefused("rows", f"{len(document)} rows; the limit is {MAX_DATA_ROWS}")
    if not document:
        raise DataRefused("rows", "an empty array")
    columns = _columns(list(document[0]))
    rows: list[list[Any]] = []
    for index, item in enumerate(document):
        if list(item) != columns and set(item) != set(columns):
            raise DataRefused(f"rows.{index}", f"keys {sorted(item)} differ from {columns}")
        rows.append([_cell(item[c], f"rows.{index}.{c}") for c in columns])
    return DataTable(columns, rows)
