"""A summary against k6's own count: whole, or incomplete with a reason a person reads."""

from __future__ import annotations

import pytest

from mv_contracts.lifecycle import K6Counts, RequestCounts
from mv_contracts.metrics import MetricFigures, ScenarioSummary, TestSummary
from mv_metrics_aggregator.completeness import mark, shortfall


def summary(requests: int, failed: int, **scenarios: int) -> TestSummary:
    return TestSummary(
        test_id="t",
        overall=MetricFigures(total_requests=requests, failed_requests=failed),
        scenarios=[
            ScenarioSummary(name=tag, figures=MetricFigures(total_requests=n))
            for tag, n in scenarios.items()
        ],
    )


def k6(requests: int, failed: int, **scenarios: int) -> K6Counts:
    return K6Counts(
        overall=RequestCounts(requests=requests, failed=failed),
        scenarios={tag: RequestCounts(requests=n, failed=0) for tag, n in scenarios.items()},
    )


def test_equal_counts_are_whole() -> None:
    marked = mark(summary(2290, 12, s01_a=2290), k6(2290, 12, s01_a=2290))
    assert marked.complete
    assert marked.incomplete_reason is None
    assert marked.k6_counts == k6(2290, 12, s01_a=2290)


@pytest.mark.parametrize(
    ("stored", "counted", "reason"),
    [
        (
            summary(1033, 12, s01_a=1033),
            k6(2290, 12, s01_a=2290),
            "InfluxDB has 1,033 of 2,290 requests k6 made",  # one scenario: no repetition
        ),
        (
            summary(1033, 12, s01_a=1000, s02_b=33),
            k6(2290, 12, s01_a=1000, s02_b=1290),
            "InfluxDB has 1,033 of 2,290 requests k6 made; "
            "by scenario, requests stored of made: s02_b 33 of 1,290",
        ),
        (
            summary(769, 0),
            k6(770, 0),
            "InfluxDB has 769 of 770 requests k6 made",
        ),
        (
            summary(2300, 13),
            k6(2290, 12),
            "InfluxDB has 2,300 requests where k6 made 2,290; "
            "InfluxDB has 13 failed requests where k6 counted 12",
        ),
        (
            summary(10, 0, s01_a=10),
            k6(10, 0, s01_a=5, s02_b=5),  # s02_b stored under no tag it made
            "by scenario, requests stored of made: s01_a 10 of 5, s02_b 0 of 5",
        ),
    ],
)
def test_a_mismatch_says_what_is_missing(
    stored: TestSummary, counted: K6Counts, reason: str
) -> None:
    assert shortfall(stored, counted) == reason
    marked = mark(stored, counted)
    assert not marked.complete
    assert marked.incomplete_reason == reason


def test_many_scenarios_are_summed_up() -> None:
    made = {f"s{i:02d}": 10 for i in range(1, 9)}
    reason = shortfall(summary(0, 0), k6(80, 0, **made))
    assert reason is not None
    assert reason.endswith("s05 0 of 10 and 3 more")


def test_without_k6s_count_nothing_is_claimed() -> None:
    unchecked = summary(5, 0)
    assert mark(unchecked, None) == unchecked
    assert unchecked.complete
    assert unchecked.k6_counts is None
