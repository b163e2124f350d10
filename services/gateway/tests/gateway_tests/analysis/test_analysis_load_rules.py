"""The analysis rules about load and the pods under test, on synthetic runs: saturation,
drift, dropped iterations, CPU and memory at their limits, restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gateway_tests.analysis_facts import T, rules, run, scenario, series
from mv_contracts.runs import Executor, ScenarioRequest, Stage
from mv_gateway.analysis import (
    PodSample,
    Severity,
    analyse,
)


def ramp(levels: int = 10, knee: int = 5) -> tuple[list[float], list[float], list[float]]:
    """A closed-model ramp: TPS grows with VUs up to the knee, then stays; response time
    then grows with VUs (Little's law)."""
    vus, tps, latency = [], [], []
    for level in range(1, levels + 1):
        for _ in range(6):
            v = level * 10.0
            rate = min(level, knee) * 100.0
            vus.append(v)
            tps.append(rate)
            latency.append(v / rate * 1000)
    return vus, tps, latency


def ramping(name: str) -> ScenarioRequest:
    stages = [Stage(duration="60s", target=100)]
    return scenario(name, executor=Executor.RAMPING_VUS, stages=stages, vus=None, duration=None)


def test_saturation_gives_the_knee() -> None:
    vus, tps, latency = ramp()
    stages = [Stage(duration="60s", target=100)]
    facts = run(
        [scenario("a", executor=Executor.RAMPING_VUS, stages=stages, vus=None, duration=None)],
        scenario_series=[series(tps, latency=latency)],
        overall_series=series(tps, latency=latency, vus=vus),
    )
    (finding,) = [f for f in analyse(facts, T).findings if f.rule == "load.saturation"]
    assert finding.scenario == "a"
    assert 40 <= finding.evidence["knee_vus"] <= 60  # type: ignore[operator]
    assert finding.evidence["knee_tps"] == 500


def test_a_ramp_that_scales_is_not_saturated() -> None:
    vus, tps, latency = ramp(knee=100)
    facts = run(
        [scenario("a")],
        scenario_series=[series(tps, latency=latency)],
        overall_series=series(tps, latency=latency, vus=vus),
    )
    assert "load.saturation" not in [r for r, _ in rules(facts)]


def test_only_the_saturating_scenario_is_named() -> None:
    vus, tps, latency = ramp()
    _, good_tps, good_latency = ramp(knee=100)
    facts = run(
        [ramping("limited"), ramping("healthy"), scenario("steady")],
        scenario_series=[
            series(tps, latency=latency),
            series(good_tps, latency=good_latency),
            # A constant scenario's own load does not grow: flat throughput is no limit there.
            series([50.0] * len(tps), latency=[10.0 + i for i in range(len(tps))]),
        ],
        overall_series=series(tps, latency=latency, vus=vus),
    )
    assert [s for r, s in rules(facts) if r == "load.saturation"] == ["limited"]


def test_a_rise_of_a_few_milliseconds_is_no_saturation() -> None:
    vus, tps, latency = ramp()
    tiny = [v / 100 for v in latency]  # the same shape, 0.2 to 2 ms
    facts = run(
        [ramping("a")],
        scenario_series=[series(tps, latency=tiny)],
        overall_series=series(tps, latency=tiny, vus=vus),
    )
    assert "load.saturation" not in [r for r, _ in rules(facts)]


def test_drift_at_steady_load() -> None:
    latency = [10.0 + i for i in range(40)]
    facts = run([scenario("a")], scenario_series=[series([100.0] * 40, latency=latency)])
    (drift,) = [f for f in analyse(facts, T).findings if f.rule == "load.drift"]
    assert drift.evidence["ratio"] > 2  # type: ignore[operator]
    flat = run([scenario("a")], scenario_series=[series([100.0] * 40, latency=[10.0] * 40)])
    assert "load.drift" not in [r for r, _ in rules(flat)]


def pod_series(cpu: list[float], memory: list[float], limit_mb: float = 512) -> list[PodSample]:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        PodSample(
            pod="api-1",
            at=at + timedelta(seconds=5 * i),
            cpu_limit_millicores=500,
            cpu_percent=c,
            cpu_usage_millicores=c * 5,
            memory_usage_mb=m,
            memory_limit_mb=limit_mb,
        )
        for i, (c, m) in enumerate(zip(cpu, memory, strict=True))
    ]


def test_pod_cpu_at_its_limit() -> None:
    facts = run([scenario("a")], pods=pod_series([50, 95, 99, 98, 97, 60], [100] * 6))
    (cpu,) = [f for f in analyse(facts, T).findings if f.rule == "pods.cpu_limit"]
    assert cpu.evidence["pod"] == "api-1"
    assert cpu.evidence["share_at_limit"] == pytest.approx(4 / 6)
    calm = run([scenario("a")], pods=pod_series([30] * 6, [100] * 6))
    assert rules(calm, Severity.WARNING) == []


def test_pod_memory_growth_and_near_its_limit() -> None:
    growing = run([scenario("a")], pods=pod_series([10] * 10, [100 + 20 * i for i in range(10)]))
    (memory,) = [f for f in analyse(growing, T).findings if f.rule == "pods.memory_growth"]
    assert memory.severity is Severity.WARNING
    near = run([scenario("a")], pods=pod_series([10] * 10, [300 + 20 * i for i in range(10)]))
    (memory,) = [f for f in analyse(near, T).findings if f.rule == "pods.memory_growth"]
    assert memory.severity is Severity.CRITICAL


def test_dropped_iterations_of_an_arrival_rate_executor() -> None:
    arrival = scenario(
        "a", executor=Executor.CONSTANT_ARRIVAL_RATE, rate=100, pre_allocated_vus=5, vus=None
    )
    facts = run([arrival], dropped=[42])
    (finding,) = [f for f in analyse(facts, T).findings if f.rule == "generator.dropped_iterations"]
    assert finding.evidence["dropped_iterations"] == 42


def test_a_pod_that_restarted_during_the_test() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    samples = [
        PodSample(pod="api-1", at=at + timedelta(seconds=5 * i), restarts=r)
        for i, r in enumerate((1, 1, 1, 2, 3))
    ]
    facts = run([scenario("a")], pods=samples)
    (finding,) = [f for f in analyse(facts, T).findings if f.rule == "pods.restarted"]
    assert finding.severity is Severity.CRITICAL
    assert finding.evidence["restarts_during_test"] == 2
    steady = run([scenario("a")], pods=[PodSample(pod="p", at=at, restarts=4)] * 3)
    assert "pods.restarted" not in [r for r, _ in rules(steady)]
