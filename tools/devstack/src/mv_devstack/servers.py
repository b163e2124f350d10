"""The real servers of the stack: NATS with JetStream, InfluxDB 1.x and PostgreSQL."""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Protocol

import httpx

from .config import StackConfig
from .processes import ManagedProcess, StackError, wait_until


class Server(Protocol):
    name: str
    process: ManagedProcess

    def start(self) -> None: ...


def _require(binary: str, package: str) -> str:
    found = shutil.which(binary)
    if not found:
        raise StackError(f"{binary} not found; run scripts/bootstrap.sh (Debian package {package})")
    return found


def _http_ok(url: str, expect: int = 200) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == expect
    except httpx.HTTPError:
        return False


class NatsServer:
    name = "nats"

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        data = config.dir / "nats"
        self.process = ManagedProcess(
            name=self.name,
            command=[
                _require("nats-server", "nats-server"),
                "--addr",
                config.host,
                "--port",
                str(config.nats_port),
                "--http_port",
                str(config.nats_monitor_port),
                "--jetstream",
                "--store_dir",
                str(data),
                "--server_name",
                "metric-vault-dev",
            ],
            run_dir=config.dir / "run",
            log_dir=config.dir / "logs",
            ports=[("nats", config.nats_port), ("nats_monitor", config.nats_monitor_port)],
        )

    def start(self) -> None:
        self.process.start(self.config.host)
        url = f"http://{self.config.host}:{self.config.nats_monitor_port}/healthz?js-enabled-only=true"
        wait_until(lambda: _http_ok(url), what="NATS", timeout=30, process=self.process)


class InfluxDB:
    name = "influxdb"

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.root = config.dir / "influxdb"
        self.config_file = self.root / "influxdb.conf"
        self.process = ManagedProcess(
            name=self.name,
            command=[_require("influxd", "influxdb"), "-config", str(self.config_file)],
            run_dir=config.dir / "run",
            log_dir=config.dir / "logs",
            ports=[("influxdb", config.influxdb_port), ("influxdb_rpc", config.influxdb_rpc_port)],
        )

    def _write_config(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        c = self.config
        self.config_file.write_text(
            f"""reporting-disabled = true
bind-address = "{c.host}:{c.influxdb_rpc_port}"

[meta]
  dir = "{self.root / "meta"}"

[data]
  dir = "{self.root / "data"}"
  wal-dir = "{self.root / "wal"}"
  query-log-enabled = false

[http]
  bind-address = "{c.host}:{c.influxdb_port}"
  log-enabled = false

[monitor]
  store-enabled = false

[retention]
  # InfluxDB's default is 30m: a test of the retention setting would wait that long.
  check-interval = "{c.influxdb_retention_check}"
"""
        )

    def start(self) -> None:
        self._write_config()
        self.process.start(self.config.host)
        wait_until(
            lambda: _http_ok(f"{self.config.influxdb_url}/ping", 204),
            what="InfluxDB",
            timeout=60,
            process=self.process,
        )
        response = httpx.post(
            f"{self.config.influxdb_url}/query",
            data={"q": f'CREATE DATABASE "{self.config.influxdb_database}"'},
            timeout=10,
        )
        response.raise_for_status()


def postgres_bindir() -> Path:
    on_path = shutil.which("pg_config")
    if on_path:
        out = subprocess.run([on_path, "--bindir"], capture_output=True, text=True, check=False)
        candidate = Path(out.stdout.strip())
        if (candidate / "postgres").exists():
            return candidate
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if versions:
        return Path(versions[-1])
    raise StackError("PostgreSQL not found; run scripts/bootstrap.sh (Debian package postgresql)")


def postgres_root(stack_dir: Path) -> Path:
    """Where PostgreSQL keeps its files: under the stack folder when the postgres user can reach it.

    As root, PostgreSQL runs as the postgres user, which needs to enter every folder above its
    data. A checkout under a private folder (mode 0700) would make initdb fail, so the data then
    goes to a folder of its own under /var/lib, named after the stack folder.
    """
    wanted = stack_dir / "postgres"
    if os.geteuid() != 0:
        return wanted
    for folder in stack_dir.resolve().parents:
        # folders still to be made are made traversable (mode 0755) by mkdir
        if folder.exists() and not folder.stat().st_mode & 0o001:
            digest = hashlib.sha256(str(stack_dir.resolve()).encode()).hexdigest()[:12]
            return Path("/var/lib/metric-vault") / digest / "postgres"
    return wanted


class PostgreSQL:
    name = "postgres"

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.bindir = postgres_bindir()
        root = postgres_root(config.dir)
        self.data = root / "data"
        self.sockets = root / "sockets"
        self.process = ManagedProcess(
            name=self.name,
            command=[
                *self._as_owner(),
                str(self.bindir / "postgres"),
                "-D",
                str(self.data),
                "-h",
                config.host,
                "-p",
                str(config.postgres_port),
                "-k",
                str(self.sockets),
                "-c",
                "synchronous_commit=off",
                "-c",
                "max_connections=200",
            ],
            run_dir=config.dir / "run",
            log_dir=config.dir / "logs",
            ports=[("postgres", config.postgres_port)],
        )

    @staticmethod
    def _as_owner() -> list[str]:
        # PostgreSQL refuses to run as root; setpriv execs in place, so the pid stays postgres's.
        if os.geteuid() != 0:
            return []
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]

    def _init(self) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        self.data.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres", "postgres")
            for path in (self.data, self.sockets):
                shutil.chown(path, "postgres", "postgres")
        result = subprocess.run(
            [
                *self._as_owner(),
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                self.config.postgres_user,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(self.data, ignore_errors=True)
            hint = ""
            if "Permission denied" in result.stderr and os.geteuid() == 0:
                hint = (
                    f"\nPostgreSQL runs as user postgres, which must be able to enter every folder "
                    f"above {self.data}; choose MV_DIR elsewhere"
                )
            raise StackError(f"initdb failed:\n{result.stderr or result.stdout}{hint}")

    def _server_args(self) -> list[str]:
        """Where the client programs (psql, pg_isready) connect: the stack's host, port, user."""
        config = self.config
        return ["-h", config.host, "-p", str(config.postgres_port), "-U", config.postgres_user]

    def _psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [
                str(self.bindir / "psql") if (self.bindir / "psql").exists() else "psql",
                *self._server_args(),
                "-d",
                database,
                "-tAc",
                sql,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def ready(self) -> bool:
        result = subprocess.run(
            [
                str(self.bindir / "pg_isready"),
                *self._server_args(),
            ],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def ensure_database(self, name: str) -> None:
        if not name.replace("_", "").isalnum():
            raise StackError(f"database name {name!r}: use letters, digits and underscores")
        if self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":  # noqa: S608
            self._psql(f'CREATE DATABASE "{name}"')

    def drop_database(self, name: str) -> None:
        self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def start(self) -> None:
        self._init()
        self.process.start(self.config.host)
        wait_until(self.ready, what="PostgreSQL", timeout=60, process=self.process)
        self.ensure_database(self.config.postgres_database)
