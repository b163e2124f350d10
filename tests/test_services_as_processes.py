"""The five services and the metrics receiver as separate processes, as the run command starts
them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from mv_devstack.config import StackConfig
from mv_devstack.credentials import ADMIN_USERNAME, ensure_admin
from mv_devstack.processes import StackError
from mv_devstack.services import RECEIVER, SERVICES, service_process, start_services


def _log_lines(path: Path) -> list[dict[str, object]]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return lines


def test_services_start_report_healthy_and_stop_cleanly_on_sigterm(
    services_config: StackConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)  # a laptop without a cluster
    admin = ensure_admin(services_config)  # the first start: a password, printed by `up`
    assert admin.password is not None
    processes = start_services(services_config, admin)
    try:
        assert [p.name for p in processes] == list(SERVICES)
        assert all(p.pid() for p in processes)
        health = httpx.get(f"{services_config.gateway_url}/", timeout=10)
        assert health.status_code == 200, health.text
        assert all(c["reachable"] for c in health.json()["components"].values())
        assert httpx.get(f"{services_config.receiver_url}/stats", timeout=10).status_code == 200

        created = httpx.post(
            f"{services_config.gateway_url}/project", json={"title": "프로세스"}, timeout=10,
            headers=services_config.admin_headers(),
        )  # fmt: skip
        assert created.status_code == 201
        assert created.json()["title"] == "프로세스"
        login = {"username": ADMIN_USERNAME, "password": admin.password}
        signed_in = httpx.post(f"{services_config.gateway_url}/auth/login", json=login)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["role"] == "admin"
    finally:
        stopping_at = datetime.now(UTC).isoformat()
        stopped = [p.stop(timeout=20) for p in reversed(processes)]
    assert all(stopped)

    for process in processes:
        records = _log_lines(process.log_file)
        # The receiver (aiohttp) logs nothing while all goes well; the others log their start.
        assert records or process.name == RECEIVER, f"{process.name} wrote no structured log lines"
        assert all(r.get("service") == process.name for r in records), process.name
        # Errors while serving fail the test. At SIGTERM, FastStream's task supervisor may report a
        # pull fetch it cancelled mid-flight as an error; what matters then is the clean exit below.
        errors = [
            r for r in records
            if r.get("level") in ("error", "critical") and str(r["timestamp"]) < stopping_at
        ]  # fmt: skip
        assert not errors, process.name
    gateway_events = [r["event"] for r in _log_lines(processes[0].log_file)]
    assert "gateway stopped" in gateway_events
    for worker in (p for p in processes[1:] if p.name != RECEIVER):
        events = [r["event"] for r in _log_lines(worker.log_file)]
        assert "FastStream app shut down gracefully." in events, worker.name
    # no cluster on this stack: the pod-watcher says so once and keeps serving
    pod_watcher = [r["event"] for r in _log_lines(processes[-1].log_file)]
    assert pod_watcher.count("no Kubernetes API configured: pods are not watched") == 1


def test_a_service_that_cannot_start_is_named_with_its_last_words(
    services_config: StackConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker has no port to probe: the start waits for its heartbeat, and one that exits
    meanwhile is named at once with the end of its log; the ones started are stopped again."""
    monkeypatch.setenv("RUNNER_READY_SECONDS", "-1")  # the test-runner's settings refuse it
    with pytest.raises(StackError, match="test-runner exited during start-up") as raised:
        start_services(services_config)
    assert "runner_ready_seconds" in str(raised.value)
    assert all(service_process(services_config, name).pid() is None for name in SERVICES)
