"""The test-runner and the gateway killed (SIGKILL) during a real local k6 run against the demo
API, then started again, with the five services as processes: the run still ends with whole
figures (k6's own count), one history row and one k6 run, and a client that reconnects to the
gateway's stream gets the run's end.

One k6 run is checked at the demo API itself: every request of the test creates an order, whose
ids the demo counts from 1, so the last order id is the number of requests the demo served — a
second k6 run (a duplicate) would leave more orders than k6's count of one run.

Figures are printed as "measured:" lines (run with -s).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from mv_devstack.config import StackConfig
from mv_devstack.demo import Demo
from mv_devstack.processes import ManagedProcess, wait_until
from mv_devstack.services import services_running

from . import streams
from .bus_events import measured

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

RUN_SECONDS = 18
RATE = 50


@dataclass
class Stack:
    config: StackConfig
    processes: dict[str, ManagedProcess]
    demo: Demo

    def call(self, method: str, url: str, **kwargs: Any) -> Any:
        return self.demo._call(method, url, **kwargs)

    def kill(self, name: str) -> float:
        """SIGKILL ``name``; the moment it was sent."""
        pid = self.processes[name].pid()
        assert pid is not None, f"{name} is not running"
        os.kill(pid, signal.SIGKILL)
        return time.monotonic()


@pytest.fixture
def services(services_config: StackConfig) -> Iterator[Stack]:
    with services_running(services_config, demo=True) as processes:
        demo = Demo(services_config, echo=lambda _line: None, timeout=85)
        yield Stack(services_config, {p.name: p for p in processes}, demo)


def _start_run(stack: Stack) -> tuple[int, str, int]:
    """A ``RUN_SECONDS`` run of ``RATE`` orders a second, once it runs: project, test and
    history ids."""
    project_id = stack.demo.project()
    spec_id = stack.demo.analyse(project_id)
    endpoints = stack.call("GET", "/endpoint", params={"spec_id": spec_id})
    order = next(e["id"] for e in endpoints if (e["method"], e["path"]) == ("POST", "/orders"))
    scenario = {
        "name": "주문 생성",
        "endpoint_id": order,
        "executor": "constant-arrival-rate",
        "rate": RATE,
        "duration": f"{RUN_SECONDS}s",
        "pre_allocated_vus": 5,
        "body": {"customer": "홍길동", "lines": [{"product_id": 2, "quantity": 1}]},
    }
    created = stack.call(
        "POST",
        "/load-testing",
        # Every sample: the summary after the kills is checked against k6's own count.
        json={"title": "kill -9", "scenarios": [scenario], "metrics_mode": "precise"},
    )
    history_id = int(created["test_history_id"])
    wait_until(
        lambda: _details(stack, history_id)["status"] == "running", what="the run", timeout=40
    )
    return project_id, created["test_id"], history_id


def _details(stack: Stack, history_id: int) -> dict[str, Any]:
    details: dict[str, Any] = stack.call("GET", f"/test-history/{history_id}/details")
    return details


def _final_details(stack: Stack, history_id: int, timeout: float) -> dict[str, Any]:
    """The details once the summary is stored (figures come after the end)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            details = _details(stack, history_id)
        except (httpx.HTTPError, OSError):  # the gateway may still be coming back
            details = {"figures": {}}
        if details["figures"].get("total_requests") is not None:
            return details
        time.sleep(0.5)
    raise AssertionError(f"no stored summary of test history {history_id} within {timeout} s")


def _k6_count(details: dict[str, Any]) -> int:
    """k6's own count of requests, from its end-of-test summary kept beside the script."""
    summary = json.loads((Path(details["k6_script_file_name"]).parent / "summary.json").read_text())
    return int(summary["metrics"]["http_reqs"]["count"])


def _orders_at_demo(config: StackConfig) -> int:
    """How many orders the demo API created: the highest id it answers (ids count from 1)."""

    def exists(order_id: int) -> bool:
        return httpx.get(f"{config.demo_url}/orders/{order_id}", timeout=5).status_code == 200

    low, high = 0, 1
    while exists(high):
        low, high = high, high * 2
    while high - low > 1:  # exists(low) (or low == 0), not exists(high)
        middle = (low + high) // 2
        low, high = (middle, high) if exists(middle) else (low, middle)
    return low


def _check_one_whole_run(
    stack: Stack, project_id: int, test_id: str, details: dict[str, Any]
) -> tuple[int, int, int]:
    k6_made = _k6_count(details)
    stored = details["figures"]["total_requests"]
    served = _orders_at_demo(stack.config)
    page = stack.call("GET", f"/test-history/projects/{project_id}", params={"limit": 200})
    rows = [item for item in page["items"] if item["test_id"] == test_id]
    assert details["is_completed"], details
    assert details["status"] == "succeeded", (details["status"], details["status_reason"])
    assert details["complete"] is True, details["incomplete_reason"]
    assert stored == k6_made, (stored, k6_made)
    assert served == k6_made, f"the demo served {served} orders, k6 counted {k6_made}"
    # constant-arrival-rate: about RATE a second for the whole run, not a restarted part of it
    assert k6_made >= RATE * RUN_SECONDS * 0.9, k6_made
    assert page["total"] == 1, page
    assert len(rows) == 1, rows
    return k6_made, stored, served


def test_a_killed_test_runner_follows_its_k6_run_to_one_whole_result(services: Stack) -> None:
    project_id, test_id, history_id = _start_run(services)
    time.sleep(4)
    killed = services.kill("test-runner")
    time.sleep(2)
    services.processes["test-runner"].start(services.config.host)

    details = _final_details(services, history_id, timeout=60)
    stored_after = time.monotonic() - killed
    k6_made, stored, served = _check_one_whole_run(services, project_id, test_id, details)
    # The result came from the restarted runner following the same k6, not from a new run.
    followed = [
        line
        for line in services.processes["test-runner"].log_file.read_text().splitlines()
        if "following run again after restart" in line and test_id in line
    ]
    assert len(followed) == 1, followed
    measured(
        "test-runner killed mid-run",
        seconds_from_kill_to_stored_result=round(stored_after, 1), run_seconds=RUN_SECONDS,
        k6_made=k6_made, stored=stored, demo_served=served, complete=details["complete"],
    )  # fmt: skip


async def test_a_killed_gateway_comes_back_with_the_final_result_and_the_end(
    services: Stack,
) -> None:
    project_id, test_id, history_id = await asyncio.to_thread(_start_run, services)
    await asyncio.sleep(2)  # early: the gateway takes ~10 s to be ready again, the run 18 s
    gateway = services.processes["gateway"]
    killed = services.kill("gateway")
    await asyncio.sleep(2)
    await asyncio.to_thread(gateway.start, services.config.host)

    def answering() -> bool:
        try:
            return httpx.get(f"{services.config.gateway_url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    await asyncio.to_thread(wait_until, answering, what="gateway", timeout=40, process=gateway)
    back = time.monotonic() - killed
    token = services.config.admin_token_file.read_text().strip()
    url = f"{services.config.gateway_url}/sse/k6-data?test_id={test_id}"
    messages = await asyncio.wait_for(streams.sse_messages(url, token), 60)
    end_after = time.monotonic() - killed
    details = await asyncio.to_thread(_final_details, services, history_id, 30)
    stored_after = time.monotonic() - killed

    assert messages, "the reconnected stream sent nothing"
    assert [m["kind"] for m in messages][-2:] == ["end", "summary"], messages[-2:]
    assert messages[-2]["end"]["status"] == details["status"]
    k6_made, stored, served = await asyncio.to_thread(
        _check_one_whole_run, services, project_id, test_id, details
    )
    measured(
        "gateway killed mid-run",
        seconds_from_kill_to_ready=round(back, 1),
        seconds_from_kill_to_end_on_reconnected_sse=round(end_after, 1),
        seconds_from_kill_to_stored_result=round(stored_after, 1),
        live_messages_after_reconnect=sum(m["kind"] == "k6" for m in messages),
        k6_made=k6_made, stored=stored, demo_served=served, complete=details["complete"],
    )  # fmt: skip
