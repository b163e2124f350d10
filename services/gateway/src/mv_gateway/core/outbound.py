"""Settings of what the gateway sends out on a user's word (notification channels), and the
outbound policy they are judged by: :class:`mv_runtime.outbound.FetchPolicy`, the spec
analyzer's, with the admin's allowed targets and the platform's own services."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr

from mv_contracts.targets import AllowList
from mv_runtime.outbound import DEFAULT_DENY, AddressPolicy, FetchPolicy, Platform


class SmtpSettings(BaseModel):
    host: str | None = Field(default=None, description="SMTP server; unset: no e-mail channels")
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = Field(default="metric-vault@localhost", description="The From address")
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = Field(default=False, description="STARTTLS before logging in")


class NotifySettings(BaseModel):
    """NOTIFY__ATTEMPTS=5, NOTIFY__SMTP__HOST=mail.example.com, ..."""

    attempts: int = Field(
        default=5, ge=1, le=20, description="Tries per message, the first included"
    )
    backoff_seconds: float = Field(
        default=10, gt=0, le=3600, description="Wait before the second try; doubled after each"
    )
    backoff_max_seconds: float = Field(default=900, gt=0, le=86400, description="The longest wait")
    timeout_seconds: float = Field(default=10, gt=0, le=120, description="Per try")
    poll_seconds: float = Field(
        default=2, gt=0, le=60, description="How often due tries are sought"
    )
    allow_networks: list[str] = Field(
        default_factory=list, description="CIDRs always reachable (non-public ones included)"
    )
    deny_networks: list[str] = Field(
        default_factory=lambda: list(DEFAULT_DENY),
        description="CIDRs never reached: link-local and cloud metadata by default",
    )
    platform_services: list[str] = Field(
        default_factory=list, description="More host:port pairs never reached (the metrics"
        " receiver, say), on top of NATS, InfluxDB, PostgreSQL and the gateway",
    )  # fmt: skip
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)


def platform_services(
    notify: NotifySettings, nats_url: str, influxdb: tuple[str, int], database_url: str,
    gateway: tuple[str, int],
) -> list[tuple[str, int]]:  # fmt: skip
    found: list[tuple[str, int]] = [influxdb, gateway]
    for url in nats_url.split(","):
        parts = urlsplit(url.strip())
        if parts.hostname:
            found += [(parts.hostname, parts.port or 4222), (parts.hostname, 8222)]
    if database_url.startswith("postgres"):
        parts = urlsplit(database_url)
        found.append((parts.hostname or "localhost", parts.port or 5432))
    for entry in notify.platform_services:
        host, _, port = entry.rpartition(":")
        if host and port.isdigit():
            found.append((host.strip("[]"), int(port)))
    return found


def outbound_policy(
    notify: NotifySettings, allowed: list[str], services: list[tuple[str, int]]
) -> FetchPolicy:
    networks = AddressPolicy.from_lists(notify.allow_networks, notify.deny_networks)
    return FetchPolicy(networks, AllowList.parse(allowed), Platform(services))
