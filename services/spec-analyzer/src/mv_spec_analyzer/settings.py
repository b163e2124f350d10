"""Spec analyzer settings (environment variables are the field names, upper-cased).

The addresses of the platform's own services are read under the names the other services
use (NATS_URL, INFLUXDB_HOST, DATABASE_URL, GATEWAY_HOST, RECEIVER_PORT, ...): the analyzer
never fetches from them, whatever an allow-list says (see :mod:`.policy`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, field_validator

from mv_contracts.targets import DEFAULT_ALLOWED
from mv_runtime.settings import InfluxDBSettings

from .guarding import DEFAULT_DENY


class Settings(InfluxDBSettings):
    spec_max_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="Largest document (and external part), bytes"
    )
    spec_fetch_timeout: float = Field(default=20.0, gt=0, description="Seconds per fetch")
    spec_fetch_max_redirects: int = Field(default=5, ge=0, le=20, description="Per fetch")
    spec_fetch_allowed_targets: list[str] = Field(
        default_factory=lambda: list(DEFAULT_ALLOWED),
        description="Hosts, *.domains and networks whose non-public addresses may be fetched "
        "when an analyse command carries no allow-list (the gateway sends the admin's)",
    )
    spec_fetch_allow_networks: list[str] = Field(
        default_factory=list,
        description="CIDRs always fetchable, non-public ones included; the most specific of "
        "allow/deny wins (JSON list)",
    )
    spec_fetch_deny_networks: list[str] = Field(
        default_factory=lambda: list(DEFAULT_DENY),
        description="CIDRs never fetched, whatever the allowed targets: link-local and cloud "
        "metadata by default",
    )
    spec_fetch_platform_services: list[str] = Field(
        default_factory=list,
        description="More host:port pairs never fetched, on top of NATS (and its monitor port), "
        "InfluxDB, PostgreSQL, the gateway and the metrics receiver (JSON list)",
    )
    nats_monitor_port: int = Field(default=8222, ge=1, le=65535, description="NATS monitoring")
    database_url: str | None = Field(default=None, description="The gateway's database")
    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=8000, ge=1, le=65535)
    receiver_host: str = "127.0.0.1"
    receiver_port: int = Field(default=9091, ge=1, le=65535)
    spec_max_external_documents: int = Field(
        default=20, ge=0, description="External $ref documents fetched per analysis"
    )
    spec_parse_timeout: float = Field(
        default=60.0, gt=0, description="Seconds to parse or normalise one document (then killed)"
    )
    spec_parse_memory_mb: int = Field(
        default=2048, ge=0, description="Address-space limit of the parsing process, MB; 0: none"
    )
    spec_analysis_timeout: float = Field(
        default=120.0, gt=0, description="Seconds for a whole analysis, fetches included"
    )

    @field_validator("spec_fetch_platform_services")
    @classmethod
    def _host_and_port(cls, entries: list[str]) -> list[str]:
        for entry in entries:
            host, _, port = entry.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"not host:port: {entry!r}")
        return entries

    def platform_services(self) -> list[tuple[str, int]]:
        """(host, port) of every service of the platform itself."""
        found: list[tuple[str, int]] = []
        for url in self.nats_url.split(","):
            parts = urlsplit(url.strip())
            if parts.hostname:
                found.append((parts.hostname, parts.port or 4222))
                found.append((parts.hostname, self.nats_monitor_port))
        found.append((self.influxdb_host, self.influxdb_port))
        if self.database_url and self.database_url.startswith("postgres"):
            parts = urlsplit(self.database_url)
            found.append((parts.hostname or "localhost", parts.port or 5432))
        found.append((self.gateway_host, self.gateway_port))
        found.append((self.receiver_host, self.receiver_port))
        for entry in self.spec_fetch_platform_services:
            host, _, port = entry.rpartition(":")
            found.append((host.strip("[]"), int(port)))
        return found
