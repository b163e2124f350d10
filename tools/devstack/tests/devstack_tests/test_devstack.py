"""The stack tool: clear errors for taken ports, and data kept across down and up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from mv_devstack.config import REPO_ROOT, StackConfig
from mv_devstack.processes import ManagedProcess, StackError, port_is_free
from mv_devstack.servers import InfluxDB, NatsServer, PostgreSQL, Server, postgres_root
from mv_devstack.workers import free_ports


def test_a_taken_port_is_a_clear_error(occupied_port: int, tmp_path: Path) -> None:
    process = ManagedProcess(
        name="nats", command=["true"], run_dir=tmp_path, log_dir=tmp_path,
        ports=[("nats", occupied_port)],
    )  # fmt: skip
    with pytest.raises(StackError, match=f"port {occupied_port} .* MV_NATS_PORT"):
        process.start("127.0.0.1")
    assert not process.pid_file.exists()


def test_cli_reports_a_taken_port_without_a_traceback(occupied_port: int, tmp_path: Path) -> None:
    env = {**os.environ, "MV_DIR": str(tmp_path), "MV_NATS_PORT": str(occupied_port)}
    result = subprocess.run(
        [sys.executable, "-m", "mv_devstack", "up", "--servers-only"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert f"port {occupied_port} (nats)" in result.stderr
    assert "already in use" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture
def scratch_dir() -> Iterator[Path]:
    """Under the repo, like the real stack folder."""
    path = REPO_ROOT / ".stack" / f"scratch-{uuid4().hex[:8]}"
    yield path
    shutil.rmtree(postgres_root(path), ignore_errors=True)
    shutil.rmtree(path, ignore_errors=True)


def test_servers_stop_and_start_again_with_their_data(scratch_dir: Path) -> None:
    """A second stack on other ports in a scratch folder, so the session's stack is untouched."""
    nats, monitor, influx, rpc, pg = free_ports("127.0.0.1", 20000, 22000, 5)
    config = StackConfig(
        dir=scratch_dir, nats_port=nats, nats_monitor_port=monitor, influxdb_port=influx,
        influxdb_rpc_port=rpc, postgres_port=pg,
    )  # fmt: skip
    postgres = PostgreSQL(config)
    servers: list[Server] = [NatsServer(config), InfluxDB(config), postgres]
    query = f"{config.influxdb_url}/query"
    try:
        for server in servers:
            server.start()
        httpx.post(
            f"{config.influxdb_url}/write", params={"db": config.influxdb_database},
            content="kept,testid=t1 value=42", timeout=10,
        ).raise_for_status()  # fmt: skip
        postgres.ensure_database("kept_db")

        for server in servers:
            assert server.process.stop()
            assert server.process.pid() is None
        assert port_is_free(config.host, influx)

        for server in servers:
            server.start()
        answer = httpx.get(
            query,
            params={"db": config.influxdb_database, "q": "SELECT value FROM kept"},
            timeout=10,
        ).json()
        assert answer["results"][0]["series"][0]["values"][0][1] == 42
        assert postgres._psql("SELECT 1 FROM pg_database WHERE datname = 'kept_db'") == "1"
    finally:
        for server in reversed(servers):
            server.process.stop()


def test_service_environment_uses_the_original_variable_names() -> None:
    env = StackConfig(influxdb_port=18086, dir=Path("/data")).service_environment()
    assert env["INFLUXDB_HOST"] == "127.0.0.1"
    assert env["INFLUXDB_PORT"] == "18086"
    assert env["INFLUXDB_DATABASE"] == "k6"
    assert env["DATABASE_URL"] == "sqlite+aiosqlite:////data/gateway.db"
    on_postgres = StackConfig(database="postgres", postgres_port=15432).service_environment()
    assert on_postgres["DATABASE_URL"] == (
        "postgresql+asyncpg://metricvault@127.0.0.1:15432/metric_vault"
    )


def test_postgres_data_moves_out_of_a_folder_the_postgres_user_cannot_enter(
    tmp_path: Path,
) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    stack_dir = private / "stack"
    if os.geteuid() == 0:
        assert postgres_root(stack_dir).parent.parent == Path("/var/lib/metric-vault")
        assert postgres_root(stack_dir) == postgres_root(stack_dir)  # stable across runs
    else:
        assert postgres_root(stack_dir) == stack_dir / "postgres"
    # a stack folder not made yet (a fresh clone) under folders anyone may enter stays put
    not_yet = Path("/var/tmp") / f"mv-{uuid4().hex}" / ".stack" / "test"
    assert postgres_root(not_yet) == not_yet / "postgres"
