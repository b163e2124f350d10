"""The figures and scenario fields the gateway takes from the contract, checked against it.

The gateway derives them (columns, API schemas, the scenario of ``POST /load-testing``); these
tests fail when a derivation drifts, e.g. a figure whose column or API field is missing, or a
contract constraint the API no longer applies.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import BigInteger, Double

from mv_contracts.metrics import FIGURE_NAMES, MetricFigures
from mv_contracts.runs import EndpointCall, ScenarioRequest
from mv_gateway.core.database import Base
from mv_gateway.history import figures
from mv_gateway.history.schemas import Figures, TrendPoint
from mv_gateway.history.schemas import TestListItem as ListItem  # not a pytest class
from mv_gateway.history.tables import ScenarioHistory, TestHistory
from mv_gateway.runs.schemas import ScenarioCreate


def test_contract_names_its_figures() -> None:
    assert tuple(MetricFigures.model_fields) == FIGURE_NAMES
    assert len(FIGURE_NAMES) == 19


@pytest.mark.parametrize("table", [TestHistory, ScenarioHistory])
def test_every_figure_is_a_nullable_column_of_its_type(table: type[Base]) -> None:
    columns = table.__table__.columns
    for name in FIGURE_NAMES:
        column = columns[name]
        assert column.nullable, name
        kind = BigInteger if MetricFigures.model_fields[name].annotation is int else Double
        assert type(column.type) is kind, name


def test_api_figures_are_the_contract_figures_with_their_types() -> None:
    assert tuple(Figures.model_fields) == FIGURE_NAMES
    for name, field in Figures.model_fields.items():
        assert field.default is None
        assert field.annotation == figures.value_type(name) | None, name
    assert Figures.model_fields["p95_response_time"].description == "Milliseconds"
    assert Figures.model_fields["test_duration"].description == "Active seconds"  # the contract's


def test_list_and_trend_schemas_carry_their_figures() -> None:
    assert set(figures.LIST_FIGURES) <= set(ListItem.model_fields)
    assert list(TrendPoint.model_fields)[-len(figures.TREND_FIGURES) :] == list(
        figures.TREND_FIGURES
    )
    sortable = {f.value for f in figures.SortField} - {"tested_at", "title"}
    assert sortable <= set(FIGURE_NAMES)


def test_api_scenario_takes_the_contract_fields() -> None:
    contract = (set(ScenarioRequest.model_fields) - {"endpoint"}) | (
        set(EndpointCall.model_fields) - {"method", "path"}
    )
    assert set(ScenarioCreate.model_fields) == contract
    # The API's endpoint, steps and login name stored endpoints; the contract's carry the calls.
    own = {"endpoint", "endpoint_id", "steps", "sign_in"}
    for name in set(ScenarioRequest.model_fields) - own:
        ours, theirs = ScenarioCreate.model_fields[name], ScenarioRequest.model_fields[name]
        assert ours.annotation == theirs.annotation, name
        assert ours.metadata == theirs.metadata, name
        assert ours.get_default(call_default_factory=True) == theirs.get_default(
            call_default_factory=True
        ), name


@pytest.mark.parametrize(
    "bad",
    [
        {"vus": 0},
        {"duration": "3x"},
        {"name": "a\x00b"},
        {"think_time": -1},
        {"headers": {"X-A": "1\r\nX-B: 2"}},
        {"error_rate_target": 2},
    ],
)
def test_api_scenario_refuses_what_the_contract_refuses(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ScenarioCreate.model_validate({"name": "s", "endpoint_id": 1, **bad})
