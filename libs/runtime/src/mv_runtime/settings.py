"""Settings every service process reads from its environment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class ServiceSettings(BaseSettings):
    """Base of each service's ``Settings``; the variable names are the field names, upper-cased."""

    # An empty variable is an unset one: compose passes `${NAME:-}` as "" when NAME is unset.
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_nested_delimiter="__",
        env_ignore_empty=True,
    )

    nats_url: str = Field(default="nats://127.0.0.1:4222", description="NATS server URL")
    log_level: LogLevel = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR")
    log_format: Literal["json", "console"] = Field(
        default="json", description="json for machines, console for people at a terminal"
    )
    heartbeat_seconds: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="Seconds between the service's heartbeats (the gateway's GET / hears them)",
    )


class InfluxDBSettings(ServiceSettings):
    """The InfluxDB 1.x HTTP API k6 writes to (INFLUXDB_HOST, INFLUXDB_PORT, INFLUXDB_DATABASE)."""

    influxdb_host: str = "localhost"
    influxdb_port: int = Field(default=8086, ge=1, le=65535)
    influxdb_database: str = "k6"

    @property
    def influxdb_url(self) -> str:
        return f"http://{self.influxdb_host}:{self.influxdb_port}"
