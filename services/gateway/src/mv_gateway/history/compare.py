"""Comparison of two runs and trends over runs: plain functions over figures, no I/O.

A run's figures are the columns named by the contract's ``FIGURE_NAMES``, on ``test_history``
and on every ``scenario_history`` row. Scenarios of
different runs are the same scenario when they have the same name (names are unique within a run;
should a run hold one name twice, the n-th occurrence pairs with the n-th of the other run).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from mv_contracts.metrics import FIGURE_NAMES


class Named(Protocol):
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=Named)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FigureDelta:
    """``other - base``; ``change_percent`` relative to ``|base|`` (None when base is 0)."""

    base: float | None
    other: float | None
    delta: float | None
    change_percent: float | None


def figure_delta(base: float | None, other: float | None) -> FigureDelta:
    if base is None or other is None:
        return FigureDelta(base, other, None, None)
    delta = other - base
    percent = delta / abs(base) * 100 if base != 0 else None
    return FigureDelta(base, other, delta, percent)


def figures_of(row: Any) -> dict[str, float | None]:
    """The figures of a test_history or scenario_history row (or any object with them)."""
    return {name: getattr(row, name) for name in FIGURE_NAMES}


def compare_figures(
    base: Mapping[str, float | None], other: Mapping[str, float | None]
) -> dict[str, FigureDelta]:
    """The delta of every figure, in the contract's order."""
    return {name: figure_delta(base.get(name), other.get(name)) for name in FIGURE_NAMES}


def _keyed(items: Iterable[N]) -> dict[tuple[str, int], N]:
    seen: dict[str, int] = {}
    keyed: dict[tuple[str, int], N] = {}
    for item in items:
        occurrence = seen.get(item.name, 0)
        seen[item.name] = occurrence + 1
        keyed[(item.name, occurrence)] = item
    return keyed


@dataclass(frozen=True, slots=True)
class ScenarioMatch(Generic[N]):
    pairs: list[tuple[N, N]]
    only_base: list[N]
    only_other: list[N]


def match_scenarios(base: Sequence[N], other: Sequence[N]) -> ScenarioMatch[N]:
    """Pairs of same-named scenarios (base order), and those present in only one run."""
    base_keyed, other_keyed = _keyed(base), _keyed(other)
    return ScenarioMatch(
        pairs=[(item, other_keyed[key]) for key, item in base_keyed.items() if key in other_keyed],
        only_base=[item for key, item in base_keyed.items() if key not in other_keyed],
        only_other=[item for key, item in other_keyed.items() if key not in base_keyed],
    )


def group_by_name(runs: Sequence[tuple[T, Sequence[N]]]) -> dict[str, list[tuple[T, N]]]:
    """Per scenario name, ``(run, scenario)`` in run order; names in order of first appearance.

    A run holding one name twice contributes its first such scenario only, so each name has at
    most one point per run.
    """
    grouped: dict[str, list[tuple[T, N]]] = {}
    for run, scenarios in runs:
        taken: set[str] = set()
        for scenario in scenarios:
            if scenario.name in taken:
                continue
            taken.add(scenario.name)
            grouped.setdefault(scenario.name, []).append((run, scenario))
    return grouped
