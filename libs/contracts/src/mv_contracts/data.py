"""Test data: a CSV or JSON file of rows uploaded to a project, whose columns are variables of a
scenario (``{{email}}``), and how a scenario takes its rows (:class:`DataMode`).

The limits are written here once: the gateway refuses a larger file before parsing it, and the
rows travel in the run command (under NATS's largest message) and beside the script (in the
run's folder or its ConfigMap, under Kubernetes' 1 MiB), never inside the script's text.
A data file never changes: a new upload is a new file with a new id, so a copy of ``data-<id>``
anywhere is that file's.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from .common import DbId, Name, Text
from .envelope import Contract
from .variables import VariableName

MAX_DATA_BYTES = 256 * 1024
"""Largest data file as uploaded, in bytes."""
MAX_DATA_ROWS = 10_000
MAX_DATA_COLUMNS = 50
MAX_CELL_CHARS = 1000
PREVIEW_ROWS = 10
# A scenario's rows are fetched by k6 from this file beside the script.
DATA_FILE_NAME = "data-{id}.json"
DATA_EXHAUSTED = "mv_data_exhausted"
"""The k6 counter of iterations that found no unused row left (unique mode)."""


class DataMode(StrEnum):
    """Which row an iteration takes: its VU's (``per_vu``: VU n takes row n, wrapping), the
    next of the test (``per_iteration``: the test's iteration n takes row n, wrapping), any
    (``random``), or a row no other iteration of the whole test took (``unique``: k6's
    iteration number in the test, unique over every runner of a split test too). In unique mode
    an iteration that finds every row taken sends nothing, is counted in ``mv_data_exhausted``
    and ends (a VU of constant-vus or ramping-vus then rests a second, not to spin); the test
    ends cleanly when its executor does (iterations or duration), so ``shared-iterations`` with
    as many iterations as rows stops as the rows run out. A file is used in unique mode by one
    scenario at most (two would each take every row)."""

    PER_VU = "per_vu"
    PER_ITERATION = "per_iteration"
    RANDOM = "random"
    UNIQUE = "unique"


class DataUse(Contract):
    """The data file a scenario takes its rows from, and how."""

    file_id: DbId = Field(description="A data file of the test's project")
    mode: DataMode = DataMode.PER_ITERATION


Cell = Annotated[Text, Field(max_length=MAX_CELL_CHARS)] | int | float | bool | None


class DataSet(Contract):
    """A data file's rows as a test carries them: each row a list in the columns' order."""

    id: DbId
    name: Name
    columns: list[VariableName] = Field(min_length=1, max_length=MAX_DATA_COLUMNS)
    rows: list[list[Cell]] = Field(min_length=1, max_length=MAX_DATA_ROWS)

    @model_validator(mode="after")
    def _rows_fit_the_columns(self) -> DataSet:
        if len(set(self.columns)) != len(self.columns):
            raise ValueError("columns: a column name is given twice")
        width = len(self.columns)
        for index, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"rows.{index}: {len(row)} values for {width} columns")
        return self

    @property
    def file_name(self) -> str:
        return DATA_FILE_NAME.format(id=self.id)


def files_of(uses: list[tuple[int, DataUse | None]], data: list[DataSet]) -> dict[int, DataSet]:
    """Scenario index → the data file it uses, each one among ``data``, a file in unique mode
    used by one scenario only, and every file's rows within the test's bound."""
    if sum(len(d.rows) for d in data) > MAX_DATA_ROWS:
        raise ValueError(f"data: more than {MAX_DATA_ROWS} rows in all")
    files = {d.id: d for d in data}
    found: dict[int, DataSet] = {}
    unique: set[int] = set()
    for index, use in uses:
        if use is None:
            continue
        if use.file_id not in files:
            raise ValueError(
                f"scenarios.{index}.data.file_id: data file {use.file_id} is not among the "
                "test's data"
            )
        if use.mode is DataMode.UNIQUE:
            if use.file_id in unique:
                raise ValueError(
                    f"scenarios.{index}.data: data file {use.file_id} is used in unique mode by "
                    "another scenario too; each would take every row"
                )
            unique.add(use.file_id)
        found[index] = files[use.file_id]
    return found
