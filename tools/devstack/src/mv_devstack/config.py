"""Where the stack keeps its data and which loopback ports it takes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[4]


def cache_dir() -> Path:
    return Path(os.environ.get("MV_CACHE_DIR", Path.home() / ".cache" / "metric-vault"))


class StackConfig(BaseSettings):
    """Every value can be set with an ``MV_`` variable, e.g. ``MV_NATS_PORT=14222``."""

    model_config = SettingsConfigDict(env_prefix="MV_", extra="ignore")

    dir: Path = Field(default=REPO_ROOT / ".stack", description="All data, logs and pid files")
    host: str = "127.0.0.1"
    nats_port: int = 4222
    nats_monitor_port: int = 8222
    influxdb_port: int = 8086
    influxdb_rpc_port: int = 8088
    influxdb_database: str = "k6"
    influxdb_retention_check: str = "2s"  # how often InfluxDB drops expired shard groups
    postgres_port: int = 5432
    postgres_user: str = "metricvault"
    postgres_database: str = "metric_vault"
    gateway_port: int = 8000
    receiver_port: int = Field(
        default=9091, description="The metrics receiver k6 pushes to in the fast metrics mode"
    )
    demo_port: int = Field(default=8080, description="The demo API of examples/demo-api")
    database: Literal["sqlite", "postgres"] = Field(
        default="sqlite", description="The gateway's store: SQLite (embedded default) or PostgreSQL"
    )
    log_level: str = "INFO"

    @property
    def nats_url(self) -> str:
        return f"nats://{self.host}:{self.nats_port}"

    @property
    def influxdb_url(self) -> str:
        return f"http://{self.host}:{self.influxdb_port}"

    def postgres_url(self, database: str | None = None, driver: str = "asyncpg") -> str:
        name = database or self.postgres_database
        return f"postgresql+{driver}://{self.postgres_user}@{self.host}:{self.postgres_port}/{name}"

    @property
    def database_url(self) -> str:
        if self.database == "postgres":
            return self.postgres_url()
        return f"sqlite+aiosqlite:///{self.dir / 'gateway.db'}"

    @property
    def k6_scripts_dir(self) -> Path:
        """The local executor's folder: scripts, logs and pid files of every k6 run."""
        return self.dir / "k6-scripts"

    @property
    def receiver_url(self) -> str:
        return f"http://{self.host}:{self.receiver_port}"

    @property
    def demo_url(self) -> str:
        return f"http://{self.host}:{self.demo_port}"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    @property
    def admin_token_file(self) -> Path:
        """An admin API token of this stack's gateway (mv_devstack.credentials), mode 600."""
        return self.dir / "admin-token"

    @property
    def secrets_key_file(self) -> Path:
        """The Fernet key sealing secret values (SECRETS_KEY of the gateway and the
        test-runner: mv_devstack.credentials), mode 600."""
        return self.dir / "secrets-key"

    def admin_headers(self) -> dict[str, str]:
        """What a client of this stack's gateway sends to be signed in as its admin."""
        return {"Authorization": f"Bearer {self.admin_token_file.read_text().strip()}"}

    def k6_binary(self) -> str | None:
        """A ``k6`` on PATH wins; else the one scripts/bootstrap.sh built into the cache."""
        found = shutil.which("k6")
        if found:
            return found
        built = cache_dir() / "bin" / "k6"
        return str(built) if built.exists() else None

    def service_environment(self) -> dict[str, str]:
        """What the services read: the public variable names where they exist."""
        env = {
            "NATS_URL": self.nats_url,
            "INFLUXDB_HOST": self.host,
            "INFLUXDB_PORT": str(self.influxdb_port),
            "INFLUXDB_DATABASE": self.influxdb_database,
            "DATABASE_URL": self.database_url,
            "GATEWAY_HOST": self.host,
            "GATEWAY_PORT": str(self.gateway_port),
            "LOG_LEVEL": self.log_level,
            "K6_SCRIPT_FILE_FOLDER": str(self.k6_scripts_dir),
            "TEST_RUNNER_EXECUTOR": "local",
            # The metrics receiver listens there, and the test-runner points k6 at it.
            "RECEIVER_HOST": self.host,
            "RECEIVER_PORT": str(self.receiver_port),
            "METRICS_RECEIVER_URL": self.receiver_url,
            # The spec-analyzer never fetches from the stack's own services: these, and the
            # ones above (NATS, InfluxDB, the gateway, the receiver) by their own variables.
            "NATS_MONITOR_PORT": str(self.nats_monitor_port),
            "SPEC_FETCH_PLATFORM_SERVICES": json.dumps(
                [f"{self.host}:{self.postgres_port}", f"{self.host}:{self.influxdb_rpc_port}"]
            ),
        }
        k6 = self.k6_binary()
        if k6:
            env["K6_BINARY"] = k6
        return env
