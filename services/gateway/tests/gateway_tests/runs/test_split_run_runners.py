"""Each runner of a split test in ``GET /scheduler/jobs`` and the test's details: its index,
name, execution segment and state. Before, the runners TEST_STARTED named reached the gateway
and were dropped.

A real split run: parallelism 2 on the local executor (two real k6 processes, paused and resumed
together) through a real test-runner process, the served gateway, real NATS and SQLite.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway_tests.served_gateway import serve_gateway, signed_in
from mv_devstack.config import StackConfig

from .test_load_testing_e2e import _api, stored_endpoint
from .test_load_testing_e2e import test_runner as runner_process  # noqa: F401 (a fixture)


async def _until(http: httpx.AsyncClient, path: str, done: Any, seconds: float) -> Any:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        body = (await http.get(path)).json()
        if done(body):
            return body
        assert asyncio.get_running_loop().time() < deadline, f"{path}: {body}"
        await asyncio.sleep(0.1)


@pytest.mark.usefixtures("runner_process")
async def test_a_split_runs_runners_are_listed_with_their_states(
    stack: StackConfig, tmp_path: Path
) -> None:
    target = await asyncio.start_server(_api, "127.0.0.1", 0)
    port = target.sockets[0].getsockname()[1]
    url = f"sqlite+aiosqlite:///{tmp_path / 'split.db'}"
    try:
        async with serve_gateway(stack, url) as (base, app), signed_in(base) as http:
            _, endpoint_id = await stored_endpoint(
                app.state.engine, "split", f"http://127.0.0.1:{port}", "GET", "/items"
            )
            scenario = {"name": "items", "endpoint_id": endpoint_id, "executor": "constant-vus",
                        "vus": 2, "duration": "4s"}  # fmt: skip
            created = await http.post(
                "/load-testing",
                json={"title": "둘로 나눈 테스트", "scenarios": [scenario], "parallelism": 2},
            )
            assert created.status_code == 202, created.text
            test_id, history_id = created.json()["test_id"], created.json()["test_history_id"]

            def ours(jobs: list[dict[str, Any]]) -> dict[str, Any] | None:
                return next((j for j in jobs if j["test_id"] == test_id), None)

            jobs = await _until(
                http, "/scheduler/jobs", lambda b: (ours(b) or {}).get("status") == "running", 60
            )
            job = ours(jobs)
            assert job is not None
            name = job["job_name"]
            assert job["runners"] == [
                {"index": 1, "name": f"{name}-1", "execution_segment": "0:1/2",
                 "status": "running", "reason": None},
                {"index": 2, "name": f"{name}-2", "execution_segment": "1/2:1",
                 "status": "running", "reason": None},
            ]  # fmt: skip

            details = await _until(
                http, f"/test-history/{history_id}/details", lambda b: b["is_completed"], 60
            )
            assert details["status"] == "succeeded", details["status_reason"]
            assert details["parallelism"] == 2
            assert [(r["index"], r["name"], r["status"]) for r in details["runners"]] == [
                (1, f"{name}-1", "succeeded"),
                (2, f"{name}-2", "succeeded"),
            ]
            assert ours((await http.get("/scheduler/jobs")).json()) is None

            # A cancelled split run: each runner says it was stopped by the cancel.
            created = await http.post(
                "/load-testing",
                json={"title": "취소", "scenarios": [scenario | {"duration": "60s"}],
                      "parallelism": 2},
            )  # fmt: skip
            test_id, history_id = created.json()["test_id"], created.json()["test_history_id"]
            await _until(
                http, "/scheduler/jobs", lambda b: (ours(b) or {}).get("status") == "running", 60
            )
            cancel = await http.post(f"/load-testing/{test_id}/cancel")
            assert cancel.status_code == 202, cancel.text
            details = await _until(
                http, f"/test-history/{history_id}/details", lambda b: b["is_completed"], 60
            )
            assert details["status"] == "cancelled"
            assert [(r["index"], r["status"]) for r in details["runners"]] == [
                (1, "cancelled"),
                (2, "cancelled"),
            ]
            assert all(r["reason"] == details["status_reason"] for r in details["runners"])
    finally:
        target.close()
