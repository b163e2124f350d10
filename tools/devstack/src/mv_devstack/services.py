"""The five Metric Vault services as processes of the stack, and the metrics receiver (a second
process of the metrics-aggregator: k6 pushes to it in the fast metrics mode)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from .config import REPO_ROOT, StackConfig
from .credentials import SEALING_SERVICES, AdminCredentials, ensure_admin, ensure_secrets_key
from .processes import ManagedProcess, StackError, wait_until

RECEIVER = "metrics-receiver"
SERVICES = {
    "gateway": "mv_gateway",
    "spec-analyzer": "mv_spec_analyzer",
    "test-runner": "mv_test_runner",
    "metrics-aggregator": "mv_metrics_aggregator",
    RECEIVER: "mv_metrics_aggregator.receiver",
    "pod-watcher": "mv_pod_watcher",
}


def service_process(config: StackConfig, name: str) -> ManagedProcess:
    return ManagedProcess(
        name=name,
        command=[sys.executable, "-m", SERVICES[name]],
        run_dir=config.dir / "run",
        log_dir=config.dir / "logs",
        ports=_ports(config, name),
        env={**config.service_environment(), "LOG_FORMAT": "json"},
        cwd=REPO_ROOT,
    )


def _ports(config: StackConfig, name: str) -> list[tuple[str, int]]:
    """The ports a process listens on; the label names its MV_<LABEL>_PORT setting."""
    if name == "gateway":
        return [("gateway", config.gateway_port)]
    if name == RECEIVER:
        return [("receiver", config.receiver_port)]
    return []


def demo_api_process(config: StackConfig) -> ManagedProcess:
    return ManagedProcess(
        name="demo-api",
        command=[
            sys.executable, "-m", "mv_demo_api", "--host", config.host,
            "--port", str(config.demo_port),
        ],
        run_dir=config.dir / "run",
        log_dir=config.dir / "logs",
        ports=[("demo", config.demo_port)],
        cwd=REPO_ROOT,
    )  # fmt: skip


def start_demo_api(config: StackConfig) -> ManagedProcess:
    process = demo_api_process(config)
    process.start(config.host)

    def answering() -> bool:
        try:
            return httpx.get(f"{config.demo_url}/health", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(answering, what="demo API", timeout=30, process=process)
    return process


def start_receiver(config: StackConfig) -> ManagedProcess:
    """The metrics receiver alone, once it answers (tests of k6 pushing to it)."""
    process = service_process(config, RECEIVER)
    process.start(config.host)
    try:
        _wait_for_receiver(config, process)
    except BaseException:
        process.stop()
        raise
    return process


def _wait_for_receiver(config: StackConfig, process: ManagedProcess) -> None:
    def answering() -> bool:
        try:
            return httpx.get(f"{config.receiver_url}/stats", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(answering, what="metrics receiver", timeout=30, process=process)


def start_services(
    config: StackConfig, admin: AdminCredentials | None = None
) -> list[ManagedProcess]:
    """Start the services and the receiver, the gateway with the stack's admin (made on the first
    start); if one cannot start, stop the others again and say why."""
    processes = [service_process(config, name) for name in SERVICES]
    processes[0].env.update((admin or ensure_admin(config)).gateway_environment())
    key = ensure_secrets_key(config)
    for process in processes:
        if process.name in SEALING_SERVICES:
            process.env["SECRETS_KEY"] = key
    try:
        for process in processes:
            process.start(config.host)
        _wait_for_services(config, processes)
    except BaseException:
        for process in reversed(processes):
            process.stop()
        raise
    return processes


@contextmanager
def services_running(
    config: StackConfig, *, demo: bool = False, admin: AdminCredentials | None = None
) -> Iterator[list[ManagedProcess]]:
    """The services (and, with ``demo``, the demo API last) for the block; each stopped after it,
    the last started first, whatever the block raised."""
    processes = start_services(config, admin)
    try:
        if demo:
            processes.append(start_demo_api(config))
        yield processes
    finally:
        for process in reversed(processes):
            process.stop()


def _wait_for_services(config: StackConfig, processes: list[ManagedProcess]) -> None:
    def answers(path: str) -> bool:
        try:
            return httpx.get(f"{config.gateway_url}{path}", timeout=5.0).status_code == 200
        except httpx.HTTPError:
            return False

    # Ready, not merely alive: its database, InfluxDB and every NATS subscription are up.
    wait_until(lambda: answers("/readyz"), what="gateway", timeout=60, process=processes[0])
    receiver = next(p for p in processes if p.name == RECEIVER)
    _wait_for_receiver(config, receiver)

    # The workers have no port to probe: they are up when the gateway hears each one beating
    # (GET /), which they do once started. One that cannot start exits meanwhile: said at once.
    def every_service_beating() -> bool:
        for process in processes[1:]:
            if process.pid() is None:
                raise _Exited(
                    f"{process.name} exited during start-up; last lines of {process.log_file}:\n"
                    f"{process.log_tail()}"
                )
        return answers("/")

    try:
        wait_until(every_service_beating, what="every service's heartbeat", timeout=30)
    except _Exited:
        raise
    except StackError:
        raise StackError(f"not every service is beating: {_missing(config)}") from None


class _Exited(StackError):
    """A service process ended while the stack waited for it to start."""


def _missing(config: StackConfig) -> str:
    try:
        services = httpx.get(f"{config.gateway_url}/", timeout=5.0).json()["services"]
    except (httpx.HTTPError, ValueError, KeyError) as error:
        return f"GET / did not say ({error})"
    return ", ".join(
        f"{name} ({s['reason']})" for name, s in services.items()
        if s["required"] and s["state"] != "ok"
    ) or "GET / answers 503 for a component"  # fmt: skip
