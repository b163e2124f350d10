"""docker-compose.yml brought up for real: podman-compose with the images the cluster path made
(scripts/compose.sh), the demo analysed and load-tested through the compose gateway with k6 in
the test-runner's container, the summary's count equal to the demo API's own, then taken down.

It runs with the cluster's tests (root; the images are the ones `make cluster` built), on ports of
its own so a stack of the user's on 8000/8080 is no obstacle."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mv_devstack.config import REPO_ROOT

pytestmark = pytest.mark.cluster

SCRIPT = REPO_ROOT / "scripts" / "compose.sh"
GATEWAY_PORT, DEMO_API_PORT = 18900, 18980


def compose(command: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(SCRIPT), command], env=env, capture_output=True, text=True, check=False, timeout=1800
    )
    assert done.returncode == 0, f"compose.sh {command}:\n{done.stdout}{done.stderr}"


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer 200 in {seconds:g} s"
        time.sleep(2)


@pytest.fixture(scope="module")
def stack() -> Iterator[httpx.Client]:
    token = "mvt_" + secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "GATEWAY_PORT": str(GATEWAY_PORT),
        "DEMO_API_PORT": str(DEMO_API_PORT),
        "GATEWAY_ADMIN_TOKEN": token,
    }
    compose("up", env)
    try:
        wait_for(f"http://127.0.0.1:{GATEWAY_PORT}/healthz", 300)
        wait_for(f"http://127.0.0.1:{DEMO_API_PORT}/openapi.json", 120)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(
            base_url=f"http://127.0.0.1:{GATEWAY_PORT}", headers=headers, timeout=60
        ) as http:
            services_heard(http, 120)
            yield http
    finally:
        logs = subprocess.run([str(SCRIPT), "logs", "20"], capture_output=True, text=True)
        print(logs.stdout[-6000:], logs.stderr[-2000:])
        compose("down", env)


def services_heard(http: httpx.Client, seconds: float) -> None:
    """Until the gateway has heard every required service (as its health dot shows): before
    that a fast-mode test is refused, the receiver not being heard yet."""
    deadline = time.monotonic() + seconds
    while (health := http.get("/").json())["status"] != "ok":
        assert time.monotonic() < deadline, f"not every service heard in {seconds:g} s: {health}"
        time.sleep(2)


def demo_calls() -> tuple[int, int]:
    """The demo API's own count of /inventory calls, and how many of them this asking made
    (from the host through the compose file's port; every 5th call fails without its number,
    and counts)."""
    for asked in range(1, 4):
        answer = httpx.get(f"http://127.0.0.1:{DEMO_API_PORT}/inventory", timeout=10)
        if answer.status_code != 503:
            return int(answer.raise_for_status().json()["call"]), asked
    raise AssertionError("the demo API failed three calls in a row")


def test_the_compose_stack_runs_the_demo(stack: httpx.Client) -> None:
    project = stack.post("/project", json={"title": "compose"}).raise_for_status().json()
    analysed = stack.post(
        "/openapi/analyze",
        params={"wait": "true", "timeout": 120},
        json={"project_id": project["id"], "openapi_url": "http://demo-api:8080/openapi.json"},
    )
    assert analysed.status_code == 200, analysed.text
    endpoints = stack.get("/endpoint", params={"spec_id": analysed.json()["spec_id"]}).json()
    inventory = next(e["id"] for e in endpoints if e["path"] == "/inventory")
    before, _ = demo_calls()
    created = stack.post(
        "/load-testing",
        json={
            "title": "compose demo",
            "project_id": project["id"],
            "base_url": "http://demo-api:8080",
            "scenarios": [
                {
                    "name": "inventory",
                    "endpoint_id": inventory,
                    "executor": "constant-vus",
                    "vus": 2,
                    "duration": "5s",
                    "think_time": 0.01,
                }
            ],
        },
    )
    assert created.status_code < 300, created.text
    history_id = created.json()["test_history_id"]
    deadline = time.monotonic() + 240
    details: dict[str, Any] = {}
    while time.monotonic() < deadline:
        details = stack.get(f"/test-history/{history_id}/details").json()
        if details["figures"].get("total_requests") is not None:
            break
        time.sleep(2)
    assert details.get("status") == "succeeded", details
    after, asked = demo_calls()
    served = after - before - asked
    assert details["figures"]["total_requests"] == served, details["figures"]
    assert details["figures"]["failed_requests"] > 0, details["figures"]
