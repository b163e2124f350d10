"""Test-runner fixtures: the real k6 binary, a real echo server, settings on a temp folder."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mv_devstack.config import StackConfig
from mv_test_runner.script import GeneratedScript
from mv_test_runner.settings import Settings

from .echo import EchoServer


@pytest.fixture(scope="session")
def k6() -> str:
    binary = StackConfig().k6_binary()
    if binary is None:
        pytest.fail("k6 is not installed: run scripts/bootstrap.sh")
    return binary


@pytest.fixture
async def echo() -> AsyncIterator[EchoServer]:
    server = EchoServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings(stack: StackConfig, receiver: StackConfig, k6: str, tmp_path: Path) -> Settings:
    """k6 of the fast mode pushes to a real receiver, of the precise mode to InfluxDB."""
    return Settings(
        nats_url=stack.nats_url,
        influxdb_host=stack.host,
        influxdb_port=stack.influxdb_port,
        influxdb_database=stack.influxdb_database,
        metrics_receiver_url=receiver.receiver_url,
        k6_binary=k6,
        k6_script_file_folder=tmp_path / "k6",
        cancel_grace_seconds=5,
    )


def k6_inspect(k6: str, script: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    args = [k6, "inspect"]
    for key, value in env.items():
        args += ["-e", f"{key}={value}"]
    return subprocess.run(
        [*args, str(script)], capture_output=True, text=True, timeout=60, check=False
    )


def k6_environment(generated: GeneratedScript, **env: str) -> dict[str, str]:
    """What :func:`k6_run` gives k6: this process's environment, the script's secrets, ``env``."""
    return {**os.environ, **generated.secrets, **env}


def k6_run(
    k6: str, folder: Path, generated: GeneratedScript, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """A generated script run to its end by real k6 with its :func:`k6_environment`; fails the
    test with k6's last words when k6 fails."""
    script = folder / "script.js"
    script.write_text(generated.text, encoding="utf-8")
    ran = subprocess.run(
        [k6, "run", "--quiet", *args, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env=k6_environment(generated, **env),
        check=False,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    return ran
