"""Live alerts from consecutive snapshots: a burst of failures raises one alert per burst."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mv_contracts.metrics import LiveFigures, LiveScenario, LiveSnapshot
from mv_gateway.live.alerts import BurstWatch
from mv_gateway.live.hub import ClientFilter
from mv_gateway.live.messages import Include, alert_message

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def snapshot(i: int, requests: int, failed: int, test_id: str = "t") -> LiveSnapshot:
    figures = LiveFigures(
        tps=10, requests_total=requests, failed_total=failed, error_rate=failed / requests
    )
    return LiveSnapshot(
        test_id=test_id,
        at=T0 + timedelta(seconds=5 * i),
        window_seconds=5,
        overall=figures,
        scenarios=[LiveScenario(name="s01_pay", label="결제", figures=figures)],
    )


def feed(watch: BurstWatch, failures_per_window: list[int], per_window: int = 100) -> list[int]:
    """Which snapshots raised an alert."""
    raised, requests, failed = [], 0, 0
    for i, f in enumerate(failures_per_window):
        requests, failed = requests + per_window, failed + f
        if watch.feed(snapshot(i, requests, failed)):
            raised.append(i)
    return raised


def test_a_burst_raises_one_alert_and_the_watch_re_arms() -> None:
    watch = BurstWatch(rise=0.10)
    assert feed(watch, [1, 1, 1, 1, 30, 40, 35, 2, 1, 25]) == [4, 9]


def test_a_steady_failure_rate_raises_nothing() -> None:
    assert feed(BurstWatch(rise=0.10), [20] * 12) == []


def test_small_windows_are_not_judged() -> None:
    assert feed(BurstWatch(rise=0.10), [0, 0, 0, 5, 5], per_window=10) == []


def test_the_alert_names_the_scenario_and_reaches_k6_views_only() -> None:
    watch = BurstWatch(rise=0.10)
    requests = failed = 0
    alerts = []
    for i, f in enumerate([0, 0, 0, 50]):
        requests, failed = requests + 100, failed + f
        alerts = watch.feed(snapshot(i, requests, failed))
    overall, scenario = alerts
    assert (overall.scenario, scenario.scenario) == (None, "결제")
    assert scenario.evidence["window_error_rate"] == 0.5
    assert "결제" in scenario.detail.ko
    message = alert_message("t", T0, scenario)
    assert ClientFilter("t", Include.K6_ONLY).wants(message)
    assert not ClientFilter("t", Include.RESOURCES_ONLY).wants(message)
    assert not ClientFilter("other").wants(message)
    watch.forget("t")
    assert watch.feed(snapshot(0, 100, 90)) == []  # a fresh start after forget
