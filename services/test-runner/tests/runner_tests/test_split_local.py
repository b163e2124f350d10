"""A test split over 3 local k6 runners: real k6 processes, paused, resumed together."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from mv_contracts.lifecycle import RunStatus
from mv_devstack.config import StackConfig
from mv_test_runner.executors import segments
from mv_test_runner.executors.base import StartError
from mv_test_runner.executors.local import LocalExecutor
from mv_test_runner.executors.together import NotReady, Runner, start_together
from mv_test_runner.script import generate_script
from mv_test_runner.settings import Settings

from .echo import EchoServer
from .requests import make_request, scenario
from .test_local_executor import influx

LOAD: dict[str, Any] = {"rate": 60, "duration": "2s", "pre_allocated_vus": 3, "max_vus": 6}


async def test_three_runners_count_exactly_what_the_target_served(
    settings: Settings, echo: EchoServer, stack: StackConfig
) -> None:
    test_id = f"split-{uuid.uuid4()}"
    request = make_request(
        echo.url,
        scenario("a", "constant-arrival-rate", **LOAD),
        scenario("b", "constant-vus"),
        test_id=test_id,
        metrics_mode="precise",  # the samples InfluxDB stored are counted below
    )
    request = request.model_copy(update={"parallelism": 3})
    executor = LocalExecutor(settings)
    started = await executor.start(request, generate_script(request))
    assert [(r.index, r.execution_segment) for r in started.runners] == [
        (1, "0:1/3"),
        (2, "1/3:2/3"),
        (3, "2/3:1"),
    ]
    assert await executor.is_running(test_id)
    outcome = await executor.wait(test_id)
    assert outcome.status is RunStatus.SUCCEEDED, executor.output(test_id)
    assert not await executor.is_running(test_id)

    folders = executor.runner_dirs(test_id)
    assert [f.name for f in folders] == [r.name for r in started.runners]
    summaries = [json.loads((f / "summary.json").read_text())["metrics"] for f in folders]
    per_runner = [m["http_reqs"]["count"] for m in summaries]
    # Only scenario a has an arrival rate: k6 drops its iterations that find no free VU.
    dropped = sum(m.get("dropped_iterations", {}).get("count", 0) for m in summaries)
    assert all(n > 0 for n in per_runner)  # every runner sent its share
    counts = await executor.counts(test_id)
    assert counts is not None
    served = len(echo.requests)
    assert counts.overall.requests == sum(per_runner) == served
    # The arrival rate is split, not multiplied: one k6 runs 120 or 121 iterations at 60/s over
    # 2 s (the one due at 2 s falls in or not), and so do the three runners together
    # (e.g. 41 + 40 + 40), counting what a busy machine made k6 drop.
    assert counts.scenarios["s01_a"].requests + dropped in (120, 121)
    rows = await influx(stack, f"SELECT count(\"value\") FROM http_reqs WHERE testid='{test_id}'")  # noqa: S608
    assert rows[0][1] == served


async def test_no_runner_starts_before_all_are_resumed(
    k6: str, echo: EchoServer, tmp_path: Path
) -> None:
    request = make_request(echo.url, scenario("a", "constant-vus", vus=3, duration="1s"))
    script = tmp_path / "script.js"
    script.write_text(generate_script(request).text)
    runners, processes = [], []
    for index in (1, 2, 3):
        address = f"127.0.0.{index + 1}:6565"  # one loopback address each, like pod IPs
        processes.append(
            await asyncio.create_subprocess_exec(
                k6,
                "run",
                "--quiet",
                "--paused",
                "--address",
                address,
                *segments.segment_args(index, 3),
                str(script),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        )
        runners.append(Runner(index, f"r{index}", f"http://{address}"))

    async def ended(runner: Runner) -> str | None:
        code = processes[runner.index - 1].returncode
        return None if code is None else f"exit {code}"

    try:
        await asyncio.sleep(2)  # paused runners, already initialised, send nothing
        assert echo.requests == []
        resumed = time.monotonic()
        await start_together(runners, ended, ready_within=20)
        codes = await asyncio.wait_for(asyncio.gather(*(p.wait() for p in processes)), 30)
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
    assert codes == [0, 0, 0]
    first = min(r.at for r in echo.requests)
    assert first >= resumed
    assert first - resumed < 1.0  # and right after it


async def test_a_runner_not_ready_in_time_fails_the_start_and_stops_the_others(
    settings: Settings, echo: EchoServer
) -> None:
    test_id = f"split-{uuid.uuid4()}"
    request = make_request(
        echo.url, scenario("a", "constant-vus", vus=3, duration="30s"), test_id=test_id
    )
    request = request.model_copy(update={"parallelism": 3})
    script = generate_script(request)
    # An init that takes 3 s (each VU runs it): no runner is ready within the 1 s allowed.
    slow = "const until = Date.now() + 3000;\nwhile (Date.now() < until) {}\n"
    slow_script = type(script)(text=script.text + slow)
    executor = LocalExecutor(settings.model_copy(update={"runner_ready_seconds": 1}))
    with pytest.raises(StartError, match=r"runner 1/3 \(k6-split-.*-1\) was not ready within 1 s"):
        await executor.start(request, slow_script)
    assert not await executor.is_running(test_id)
    assert echo.requests == []


async def test_a_runner_that_ends_before_the_start_fails_it_with_its_reason(
    settings: Settings, echo: EchoServer
) -> None:
    test_id = f"split-{uuid.uuid4()}"
    request = make_request(
        echo.url, scenario("a", "constant-vus", vus=3, duration="30s"), test_id=test_id
    )
    request = request.model_copy(update={"parallelism": 3})
    script = generate_script(request)
    broken = type(script)(text=script.text + "\nthrow new Error('boom at init');\n")
    executor = LocalExecutor(settings)
    with pytest.raises(StartError) as refused:
        await executor.start(request, broken)
    assert "ended before the test started: script error (exit code 107): Error: boom" in str(
        refused.value
    )
    assert re.match(r"runner [123]/3 \(k6-split-.*-[123]\) ", str(refused.value))  # the first seen
    assert not await executor.is_running(test_id)


def test_not_ready_names_the_runner() -> None:
    error = NotReady(Runner(2, "k6-t-2", "http://x"), 3, "was not ready")
    assert str(error) == "runner 2/3 (k6-t-2) was not ready"
