"""The summary figures as the gateway stores and shows them, all made from the contract.

The contract's :class:`~mv_contracts.metrics.MetricFigures` is the one declaration of the figures
(names and types). From it come the columns of test_history and scenario_history
(:mod:`.tables`), the API's ``Figures`` and the figure fields of the list and trend schemas
(:mod:`.schemas`). This module holds what the contract cannot know: which figures each view
shows, the unit a figure is described with, and the example values Swagger shows. Each name here
is checked against the contract when the module loads.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, Field, create_model

from mv_contracts.metrics import FIGURE_NAMES, MetricFigures

# The figures a line of the main board or of a project's page shows.
LIST_FIGURES: tuple[str, ...] = ("avg_tps", "p95_response_time", "avg_error_rate", "total_requests")

# The figures a trend follows, in the order a chart lists them.
TREND_FIGURES: tuple[str, ...] = (
    "avg_tps",
    "p95_response_time",
    "p99_response_time",
    "avg_response_time",
    "avg_error_rate",
    "total_requests",
)


class SortField(StrEnum):
    """What a project's page sorts by: when, a few figures, or the title."""

    TESTED_AT = "tested_at"
    AVG_TPS = "avg_tps"
    P95_RESPONSE_TIME = "p95_response_time"
    AVG_ERROR_RATE = "avg_error_rate"
    TITLE = "title"


# The unit a figure is given in, by the end of its name (the contract's description wins).
_UNITS = {
    "_requests": "Requests",
    "_tps": "Requests per second",
    "_response_time": "Milliseconds",
    "_error_rate": "Fraction, 0.02 = 2 %",
    "_vus": "Virtual users",
}

EXAMPLE: dict[str, Any] = {
    "total_requests": 12000,
    "failed_requests": 240,
    "test_duration": 60.0,
    "max_tps": 230.0,
    "min_tps": 170.0,
    "avg_tps": 200.0,
    "max_response_time": 812.4,
    "min_response_time": 3.1,
    "avg_response_time": 41.7,
    "p50_response_time": 30.2,
    "p90_response_time": 88.0,
    "p95_response_time": 120.5,
    "p99_response_time": 301.9,
    "max_error_rate": 0.05,
    "min_error_rate": 0.0,
    "avg_error_rate": 0.02,
    "max_vus": 20.0,
    "min_vus": 1.0,
    "avg_vus": 18.5,
}


def value_type(name: str) -> type:
    """``int`` or ``float``: the contract's type of the figure, without its None."""
    annotation = MetricFigures.model_fields[name].annotation
    kinds = [t for t in (get_args(annotation) or (annotation,)) if t is not type(None)]
    if len(kinds) != 1 or kinds[0] not in (int, float):
        raise TypeError(f"figure {name} is neither int nor float: {annotation}")
    kind: type = kinds[0]
    return kind


def description(name: str) -> str | None:
    given = MetricFigures.model_fields[name].description
    return given or next((u for end, u in _UNITS.items() if name.endswith(end)), None)


M = TypeVar("M", bound=BaseModel)


def with_figures(name: str, base: type[M], figures: Iterable[str], doc: str) -> type[M]:
    """``base`` with one optional field per figure (None where nothing was measured yet)."""
    fields: dict[str, Any] = {
        figure: (value_type(figure) | None, Field(default=None, description=description(figure)))
        for figure in figures
    }
    return create_model(name, __base__=base, __module__=base.__module__, __doc__=doc, **fields)


def example(figures: Iterable[str]) -> dict[str, Any]:
    return {name: EXAMPLE[name] for name in figures}


def _check() -> None:
    known = set(FIGURE_NAMES)
    sortable = {f.value for f in SortField} - {"tested_at", "title"}
    for label, names in (
        ("LIST_FIGURES", set(LIST_FIGURES)),
        ("TREND_FIGURES", set(TREND_FIGURES)),
        ("SortField", sortable),
    ):
        if not names <= known:
            raise ImportError(f"{label} names no figure of the contract: {names - known}")
    if set(EXAMPLE) != known:
        raise ImportError(f"EXAMPLE differs from the contract's figures: {set(EXAMPLE) ^ known}")
    for name in FIGURE_NAMES:
        value_type(name)


_check()
