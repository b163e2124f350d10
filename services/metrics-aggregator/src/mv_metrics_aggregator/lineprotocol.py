"""k6-shaped samples as InfluxDB line protocol, for tests and the benchmark (no k6 needed)."""

from __future__ import annotations

import math
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
from mv_contracts.runs import RUNNER_TAG, SCENARIO_TAG, TEST_ID_TAG

from .definitions import DURATION, FAILED, REQUESTS, VUS
from .schema import FAILURES_MEASUREMENT, REQUESTS_MEASUREMENT, VUS_MEASUREMENT


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


@dataclass(slots=True)
class SyntheticCompactRun:
    """The receiver's compact points (:mod:`.schema`) of a test of ``rate`` requests a
    second for ``seconds``, as k6 would push them: one point a second per runner and scenario,
    with a native histogram (schema 3) of log-normal response times around ``median_ms`` (a
    different median per scenario), every ``failure_every``-th request a 500, and each runner's
    VUs. Bucket counts are the distribution's expected counts, so no sample is drawn: writing a
    10^7-request test takes as long as its points, not its requests."""

    test_id: str
    start_ns: int
    seconds: int
    rate: int
    scenarios: tuple[str, ...] = ("s01_a", "s02_b", "s03_c", "s04_d")
    runners: int = 1
    failure_every: int = 20
    vus: int = 50
    median_ms: float = 20.0
    sigma: float = 0.6

    @property
    def requests(self) -> int:
        per_point = self.rate // (len(self.scenarios) * self.runners)
        return per_point * len(self.scenarios) * self.runners * self.seconds

    def _buckets(self, n: int, median_ms: float) -> tuple[dict[int, int], float]:
        """Expected bucket counts of ``n`` log-normal samples (schema 3), and their sum in ms."""
        mu, spread = math.log(median_ms / 1000), self.sigma
        low = math.floor((mu - 5 * spread) / math.log(2) * 8)
        high = math.ceil((mu + 5 * spread) / math.log(2) * 8)

        def cdf(index: int) -> float:  # P(value <= 2**(index/8) s)
            return 0.5 * (1 + math.erf((index / 8 * math.log(2) - mu) / (spread * math.sqrt(2))))

        buckets = {i: round(n * (cdf(i) - cdf(i - 1))) for i in range(low, high + 1)}
        mode = max(buckets, key=lambda i: buckets[i])
        buckets[mode] += n - sum(buckets.values())  # rounding: the counts add up to n
        total = sum(c * 2 ** ((i - 0.5) / 8) * 1000 for i, c in buckets.items())
        return {i: c for i, c in buckets.items() if c > 0}, total

    def lines(self) -> Iterator[str]:
        per_point = self.rate // (len(self.scenarios) * self.runners)
        failed = per_point // self.failure_every
        shapes = [
            self._buckets(per_point, self.median_ms * (1 + 0.5 * k))
            for k in range(len(self.scenarios))
        ]
        for second in range(1, self.seconds + 1):
            for runner in range(1, self.runners + 1):
                at = self.start_ns + second * 10**9 + runner * 1000
                tags = f"{TEST_ID_TAG}={self.test_id}" + (
                    f",{RUNNER_TAG}={runner}" if self.runners > 1 else ""
                )
                yield f"{VUS_MEASUREMENT},{tags} vus={self.vus}i,vus_max={self.vus}i {at}"
                for scenario, (buckets, total) in zip(self.scenarios, shapes, strict=True):
                    cells = "".join(f" {i}:{c}" for i, c in buckets.items())
                    point = f"{tags},{SCENARIO_TAG}={scenario}"
                    yield (
                        f"{REQUESTS_MEASUREMENT},{point} requests={per_point}i,failed={failed}i,"
                        f"duration_count={per_point}i,duration_sum={total!r},"
                        f'duration_hist="3 z:0{cells}" {at}'
                    )
                    if failed:
                        yield (
                            f"{FAILURES_MEASUREMENT},{point},status=500,error_code=1500 "
                            f"failed={failed}i {at}"
                        )
