"""The pure comparison and trend functions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mv_contracts.metrics import FIGURE_NAMES as FIGURES
from mv_gateway.history.compare import (
    FigureDelta,
    compare_figures,
    figure_delta,
    figures_of,
    group_by_name,
    match_scenarios,
)
from mv_gateway.history.schemas import Figures


@dataclass
class S:
    name: str
    id: int = 0


def test_delta_and_relative_change() -> None:
    assert figure_delta(200.0, 250.0) == FigureDelta(200.0, 250.0, 50.0, 25.0)
    assert figure_delta(120.0, 90.0) == FigureDelta(120.0, 90.0, -30.0, -25.0)
    assert figure_delta(4, 4) == FigureDelta(4, 4, 0, 0.0)


def test_zero_or_missing_base_has_no_relative_change() -> None:
    assert figure_delta(0.0, 0.02) == FigureDelta(0.0, 0.02, 0.02, None)
    assert figure_delta(None, 3.0) == FigureDelta(None, 3.0, None, None)
    assert figure_delta(3.0, None) == FigureDelta(3.0, None, None, None)


def test_negative_base_change_is_relative_to_its_magnitude() -> None:
    assert figure_delta(-10.0, -5.0).change_percent == pytest.approx(50.0)


def test_compare_figures_covers_every_figure_in_order() -> None:
    compared = compare_figures({"avg_tps": 10.0, "total_requests": 100}, {"avg_tps": 15.0})
    assert tuple(compared) == FIGURES
    assert compared["avg_tps"] == FigureDelta(10.0, 15.0, 5.0, 50.0)
    assert compared["total_requests"] == FigureDelta(100, None, None, None)
    assert compared["p99_response_time"] == FigureDelta(None, None, None, None)


def test_figures_of_reads_every_figure() -> None:
    row = Figures(avg_tps=3.0, total_requests=7)
    assert figures_of(row) == {**dict.fromkeys(FIGURES), "avg_tps": 3.0, "total_requests": 7}


def test_api_figures_are_the_contract_figures() -> None:
    assert tuple(Figures.model_fields) == FIGURES


def test_match_by_name() -> None:
    login, search, checkout = S("login", 1), S("search", 2), S("checkout", 3)
    search2, browse = S("search", 12), S("browse", 14)
    matched = match_scenarios([login, search, checkout], [browse, search2])
    assert matched.pairs == [(search, search2)]
    assert matched.only_base == [login, checkout]
    assert matched.only_other == [browse]


def test_repeated_names_pair_by_occurrence() -> None:
    a1, a2, b1 = S("a", 1), S("a", 2), S("a", 11)
    matched = match_scenarios([a1, a2], [b1])
    assert matched.pairs == [(a1, b1)]
    assert matched.only_base == [a2]
    assert matched.only_other == []


def test_match_of_empty_runs() -> None:
    matched = match_scenarios([], [S("x")])
    assert (matched.pairs, matched.only_base, matched.only_other) == ([], [], [S("x")])


def test_group_by_name_keeps_run_order_and_first_appearance() -> None:
    login1, search1 = S("login", 1), S("search", 2)
    search2, checkout2 = S("search", 3), S("checkout", 4)
    login3, again3 = S("login", 5), S("login", 6)
    grouped = group_by_name(
        [("r1", [login1, search1]), ("r2", [search2, checkout2]), ("r3", [login3, again3])]
    )
    assert list(grouped) == ["login", "search", "checkout"]
    assert grouped["login"] == [("r1", login1), ("r3", login3)]  # one point per run
    assert grouped["search"] == [("r1", search1), ("r2", search2)]
    assert grouped["checkout"] == [("r2", checkout2)]
    assert group_by_name([]) == {}
