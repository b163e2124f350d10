"""The product's health with the services as real processes: the metrics receiver killed
(SIGKILL) shows as missing in GET /, a fast-mode test is refused with that reason before k6
starts, and the devstack's supervisor brings the receiver back (logged, with back-off) until
GET / is ok again; `down` stops the supervisor and every service for good.

Figures are printed as "measured:" lines (run with -s).
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from mv_devstack.cli import app as cli
from mv_devstack.config import StackConfig
from mv_devstack.demo import Demo
from mv_devstack.processes import ManagedProcess, wait_until
from mv_devstack.services import (
    RECEIVER,
    SERVICES,
    service_process,
    services_running,
)
from mv_devstack.supervisor import start_supervisor

from .bus_events import measured

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

BEAT = 1.0  # HEARTBEAT_SECONDS of the services: missing after 3 s of silence


@pytest.fixture
def product(services_config: StackConfig, monkeypatch: pytest.MonkeyPatch) -> Iterator[StackConfig]:
    monkeypatch.setenv("HEARTBEAT_SECONDS", str(BEAT))
    # The gateway package's tests turn the check off for their whole session; here it is the
    # subject, and this module may run after them in one pytest session.
    monkeypatch.setenv("METRICS_PATH_CHECK", "true")
    monkeypatch.delenv("KUBECONFIG", raising=False)
    with services_running(services_config, demo=True):
        try:
            yield services_config
        finally:
            _down(services_config)


def _down(config: StackConfig) -> str:
    """What `make down` runs, for this stack (its MV_ variables)."""
    env = {f"MV_{k.upper()}": str(v) for k, v in config.model_dump().items()}
    return CliRunner().invoke(cli, ["down"], env=env).output


def _health(config: StackConfig) -> tuple[int, dict[str, Any]]:
    response = httpx.get(f"{config.gateway_url}/", timeout=10)
    return response.status_code, response.json()


def _until(config: StackConfig, wanted: str, timeout: float) -> dict[str, Any]:
    """GET / once the receiver's state is ``wanted``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = _health(config)
        if body["services"][RECEIVER]["state"] == wanted:
            return {"status_code": status, **body}
        time.sleep(0.2)
    raise AssertionError(f"the receiver never became {wanted}: {body}")


def _fast_test(demo: Demo, endpoint_id: int) -> httpx.Response:
    scenario = {
        "name": "조회", "endpoint_id": endpoint_id, "executor": "constant-vus", "vus": 1,
        "duration": "2s", "path_params": {"product_id": "1"},
    }  # fmt: skip
    body = {"title": "fast", "scenarios": [scenario], "metrics_mode": "fast"}
    return demo.http.post("/load-testing", json=body)


def test_a_killed_receiver_is_named_refused_for_and_brought_back(product: StackConfig) -> None:
    status, healthy = _health(product)
    assert status == 200, healthy
    assert {s["state"] for s in healthy["services"].values()} == {"ok"}
    assert healthy["services"]["pod-watcher"]["required"] is False  # local k6, no cluster
    demo = Demo(product, echo=lambda _line: None, timeout=60)
    project_id = demo.project()
    spec_id = demo.analyse(project_id)
    endpoints = demo._call("GET", "/endpoint", params={"spec_id": spec_id})
    read = next(e["id"] for e in endpoints if e["path"] == "/products/{product_id}")

    pid = _receiver(product).pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    missing = _until(product, "missing", timeout=15)
    noticed = time.monotonic() - killed
    assert missing["status_code"] == 503
    assert missing["status"] == "degraded"
    assert missing["services"][RECEIVER]["reason"].startswith("no heartbeat for")

    refused = _fast_test(demo, read)
    assert refused.status_code == 503, refused.text
    assert "the metrics receiver is not running" in refused.json()["detail"]
    page = demo._call("GET", f"/test-history/projects/{project_id}")
    assert page["total"] == 0  # refused before anything was stored or run

    supervisor = start_supervisor(product)
    back = _until(product, "ok", timeout=30)
    returned = time.monotonic() - killed
    assert back["status_code"] == 200
    started = _fast_test(demo, read)
    assert started.status_code == 202, started.text
    log = [json.loads(line) for line in supervisor.log_file.read_text().splitlines()]
    restarts = [r for r in log if r["event"] == "service restarted"]
    assert [r["name"] for r in restarts] == [RECEIVER]
    died = next(r for r in log if r["event"] == "service died, restarting after back-off")
    assert died["backoff_seconds"] == 1.0

    # dead again at once: the supervisor waits longer the second time
    os.kill(_receiver(product).pid() or 0, signal.SIGKILL)
    wait_until(
        lambda: sum(
            json.loads(line)["event"] == "service restarted"
            for line in supervisor.log_file.read_text().splitlines()
        ) == 2,
        what="the second restart", timeout=20,
    )  # fmt: skip
    log = [json.loads(line) for line in supervisor.log_file.read_text().splitlines()]
    deaths = [r for r in log if r["event"] == "service died, restarting after back-off"]
    assert [d["backoff_seconds"] for d in deaths] == [1.0, 2.0]
    wait_until(lambda: _health(product)[0] == 200, what="GET / ok", timeout=20)

    stopped = _down(product)
    assert "supervisor" in stopped, stopped
    time.sleep(3)  # longer than any back-off so far: nothing is started again
    assert all(service_process(product, name).pid() is None for name in SERVICES), stopped
    measured(
        "receiver killed (SIGKILL)", heartbeat_seconds=BEAT,
        seconds_to_missing_in_get_root=round(noticed, 1),
        seconds_to_ok_again_after_supervisor_start=round(returned, 1),
    )  # fmt: skip


def _receiver(config: StackConfig) -> ManagedProcess:
    return service_process(config, RECEIVER)
