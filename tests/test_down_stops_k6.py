"""`make down` stops every k6 the stack started: a long test started through the gateway, then
the devstack CLI's ``down`` on that stack's folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mv_devstack.config import StackConfig
from mv_devstack.demo import Demo, scenarios
from mv_devstack.k6_processes import k6_pids
from mv_devstack.services import services_running
from mv_runtime.processes import pid_alive

pytestmark = pytest.mark.slow


def _stack_env(config: StackConfig) -> dict[str, str]:
    """The MV_ variables that make the CLI see this test's stack (and only it)."""
    return {
        **os.environ,
        "MV_DIR": str(config.dir),
        "MV_NATS_PORT": str(config.nats_port),
        "MV_NATS_MONITOR_PORT": str(config.nats_monitor_port),
        "MV_GATEWAY_PORT": str(config.gateway_port),
        "MV_DEMO_PORT": str(config.demo_port),
    }


def test_down_stops_the_k6_a_running_test_started(services_config: StackConfig) -> None:
    config = services_config
    with services_running(config, demo=True) as processes:
        demo = Demo(config, echo=lambda _line: None, timeout=120)
        spec_id = demo.analyse(demo.project())
        endpoints = demo._call("GET", "/endpoint", params={"spec_id": spec_id})
        long_running = scenarios(endpoints)[:1]
        long_running[0].update(vus=1, duration="10m", think_time=0.2)
        created = demo._call(
            "POST", "/load-testing", json={"title": "긴 테스트", "scenarios": long_running}
        )
        deadline = time.monotonic() + 60
        while len(running := k6_pids(config.k6_scripts_dir)) < 2:  # the wrapper and k6
            assert time.monotonic() < deadline, f"k6 did not start for {created}"
            time.sleep(0.2)

        started = time.monotonic()
        down = subprocess.run(
            [sys.executable, "-m", "mv_devstack", "down"],
            env=_stack_env(config), capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        took = time.monotonic() - started
    assert "k6                   stopped (2 processes" in down.stdout, down.stdout
    assert k6_pids(config.k6_scripts_dir) == []
    assert not any(pid_alive(pid) for pid in running)
    assert all(p.pid() is None for p in processes), down.stdout
    # k6 ended on our SIGTERM (its code 105) while the test-runner was still up to see it.
    (run_dir,) = Path(config.k6_scripts_dir, "runs").iterdir()
    assert (run_dir / "exit_code").read_text().strip() == "105"
    print(f"down stopped k6 and the stack in {took:.1f} s")
