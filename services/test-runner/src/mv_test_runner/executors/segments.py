"""A test split over N k6 runners with k6's execution segments (pure functions, no I/O).

Runner ``i`` of ``n`` runs ``--execution-segment=(i-1)/n:i/n`` and every runner gets the same
``--execution-segment-sequence=0,1/n,…,1``: with the shared sequence k6 hands out VUs, iterations
and arrival rates so the shares add up to exactly the whole test (no runner rounds on its own).
Every runner tags its samples with the same test id, so the aggregator's summary over the test
id is already the merged one: counts and percentiles over every sample of every runner.

Runners start ``--paused`` with k6's REST API on; once all report :data:`PAUSED_BEFORE_RUN` the
executor sends :data:`RESUME` to each, so none starts its load before the others are ready.
"""

from __future__ import annotations

from typing import Any

from mv_contracts.lifecycle import RunnerInfo
from mv_contracts.load import total_vus
from mv_contracts.runs import RUNNER_TAG, TestRunRequest

# k6's REST API: the body of PATCH /v1/status that resumes a paused run (k6's api/v1 status
# resource; the same body grafana/k6-operator sends), and the execution status GET /v1/status
# reports while a run waits for it (lib/execution.go: ExecutionStatus PausedBeforeRun = 4).
RESUME: dict[str, Any] = {
    "data": {"type": "status", "id": "default", "attributes": {"paused": False}}
}
PAUSED_BEFORE_RUN = 4


def _fraction(numerator: int, parallelism: int) -> str:
    if numerator == 0:
        return "0"
    if numerator == parallelism:
        return "1"
    return f"{numerator}/{parallelism}"


def execution_segment(index: int, parallelism: int) -> str:
    """k6's ``--execution-segment`` of runner ``index`` (1-based) of ``parallelism``."""
    if not 1 <= index <= parallelism:
        raise ValueError(f"runner {index} of {parallelism}")
    return f"{_fraction(index - 1, parallelism)}:{_fraction(index, parallelism)}"


def segment_sequence(parallelism: int) -> str:
    """k6's ``--execution-segment-sequence`` shared by every runner of the test."""
    return ",".join(_fraction(i, parallelism) for i in range(parallelism + 1))


def segment_args(index: int, parallelism: int) -> list[str]:
    """The k6 arguments of one runner; none for a test on one runner. Each runner's samples also
    carry ``RUNNER_TAG`` = its index: their series differ, so two runners' samples of one
    nanosecond never overwrite each other in InfluxDB, and per-runner gauges (``vus``) can be
    told apart."""
    if parallelism == 1:
        return []
    return [
        "--tag",
        f"{RUNNER_TAG}={index}",
        "--execution-segment",
        execution_segment(index, parallelism),
        "--execution-segment-sequence",
        segment_sequence(parallelism),
    ]


def runners(name: str, parallelism: int) -> list[RunnerInfo]:
    """The runners of the run ``name``: the name itself alone, else ``name-1`` … ``name-n``."""
    if parallelism == 1:
        return [RunnerInfo(index=1, name=name, execution_segment="0:1")]
    return [
        RunnerInfo(index=i, name=f"{name}-{i}", execution_segment=execution_segment(i, parallelism))
        for i in range(1, parallelism + 1)
    ]


def max_vus(request: TestRunRequest) -> int:
    """The test's max VUs as ``k6 inspect --execution-requirements`` reports it (``maxVUs``)
    for scenarios that overlap; for scenarios one after another (``start_time``) an upper bound.
    An own script's is k6's own answer, taken when the script was inspected.
    """
    if request.own_script is not None:
        return request.own_script.max_vus
    return total_vus(request.scenarios)


def refusal(request: TestRunRequest, max_parallelism: int) -> str | None:
    """Why the request cannot be split over its ``parallelism`` runners, or None when it can."""
    wanted = request.parallelism
    if wanted > max_parallelism:
        return (
            f"parallelism {wanted} is above this runner's limit of {max_parallelism} "
            "(MAX_PARALLELISM)"
        )
    vus = max_vus(request)
    if wanted > vus:
        # A runner whose segment holds no VU would run nothing: k6-operator refuses it too.
        return (
            f"parallelism {wanted} is above the test's {vus} VUs at most: "
            f"every runner needs at least one VU (use parallelism {vus} or fewer)"
        )
    return None
