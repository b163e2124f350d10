"""k6-shaped samples as InfluxDB line protocol, for tests and the benchmark (no k6 needed)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from mv_contracts.pods import (
    POD_RESOURCES_CPU_PERCENT,
    POD_RESOURCES_CPU_USAGE,
    POD_RESOURCES_MEASUREMENT,
    POD_RESOURCES_MEMORY_PERCENT,
    POD_RESOURCES_MEMORY_USAGE,
    POD_RESOURCES_TEST_IDS,
)
from mv_contracts.runs import SCENARIO_TAG, TEST_ID_TAG

from .definitions import DURATION, FAILED, REQUESTS, VUS


@dataclass(slots=True)
class Request:
    time_ns: int
    scenario: str
    duration_ms: float
    failed: bool


@dataclass(slots=True)
class SyntheticRun:
    """``requests`` requests spread evenly over ``seconds`` from ``start_ns``."""

    test_id: str
    start_ns: int
    requests: int
    seconds: float
    scenarios: tuple[str, ...] = ("s01_a", "s02_b")
    failure_every: int = 20
    vus: int = 10
    seed: int = 1
    made: list[Request] = field(default_factory=list)

    def request_list(self) -> Iterator[Request]:
        rng = random.Random(self.seed)  # noqa: S311 -- reproducible samples, not secrets
        step = int(self.seconds * 1e9 / self.requests)
        for i in range(self.requests):
            yield Request(
                self.start_ns + i * step,
                self.scenarios[i % len(self.scenarios)],
                round(rng.lognormvariate(3, 0.6), 6),
                i % self.failure_every == 0,
            )

    def lines(self, keep: bool = False) -> Iterator[str]:
        """Three points per request, as k6 writes them, plus the vus gauge every second."""
        for r in self.request_list():
            if keep:
                self.made.append(r)
            tags = (
                f"{TEST_ID_TAG}={self.test_id},{SCENARIO_TAG}={r.scenario},"
                f"name=/items/{{id}},method=GET,status={500 if r.failed else 200}"
            )
            yield f"{REQUESTS},{tags} value=1 {r.time_ns}"
            yield f"{DURATION},{tags} value={r.duration_ms} {r.time_ns}"
            yield f"{FAILED},{tags} value={int(r.failed)} {r.time_ns}"
        for second in range(int(self.seconds) + 1):
            at = self.start_ns + second * 10**9
            yield f"{VUS},{TEST_ID_TAG}={self.test_id} value={self.vus} {at}"


def pod_lines(
    namespace: str,
    pod: str,
    start_ns: int,
    usage: list[tuple[float, float]],
    test_ids: tuple[str, ...] = (),
) -> str:
    """A pod-watcher point per second: (cpu millicores, memory MB), limits 1000 m / 512 MB."""
    ids = f',{POD_RESOURCES_TEST_IDS}="{",".join(test_ids)}"' if test_ids else ""
    return "\n".join(
        f"{POD_RESOURCES_MEASUREMENT},namespace={namespace},pod={pod} "
        f"{POD_RESOURCES_CPU_USAGE}={cpu},{POD_RESOURCES_MEMORY_USAGE}={memory},"
        f"{POD_RESOURCES_CPU_PERCENT}={cpu / 10},{POD_RESOURCES_MEMORY_PERCENT}={memory / 5.12}"
        f"{ids} {start_ns + i * 10**9}"
        for i, (cpu, memory) in enumerate(usage)
    )
