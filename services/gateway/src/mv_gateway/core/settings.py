"""Gateway settings, read from the environment (the public variable names kept)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, IPvAnyNetwork, SecretStr

from mv_gateway.analysis import AnalysisThresholds
from mv_runtime.sealing import SealingSettings
from mv_runtime.settings import InfluxDBSettings

from .outbound import NotifySettings, platform_services


class Settings(InfluxDBSettings, SealingSettings):
    database_url: str = Field(
        default="sqlite+aiosqlite:///metric-vault.db",
        description="SQLAlchemy URL: sqlite+aiosqlite (embedded default) or postgresql+asyncpg",
    )
    migrate_on_start: bool = Field(default=True, description="Run Alembic upgrade at start-up")
    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=8000, ge=1, le=65535)
    live_queue_size: int = Field(
        default=100, ge=1, le=100_000, description="Live messages buffered per slow client"
    )
    sse_ping_seconds: float = Field(
        default=15, gt=0, le=300, description="Seconds of silence before an SSE keep-alive"
    )
    live_summary_wait_seconds: float = Field(
        default=120,
        ge=0,
        le=3600,
        description="Seconds after a test's end that a live stream of that test stays open for "
        "its summary (k6's last samples, the wait for k6's own count: a minute on Kubernetes); "
        "then a summary message with stored=false closes it",
    )
    health_timeout: float = Field(default=2.0, gt=0, description="Seconds per health probe")
    health_missed_beats: int = Field(
        default=3,
        ge=1,
        le=100,
        description=(
            "Heartbeats a service may miss (of its own interval) before GET / calls it missing"
        ),
    )
    metrics_path_check: bool = Field(
        default=True,
        description=(
            "Refuse a test (503, before it is stored) whose metrics path is down: fast mode with "
            "no metrics receiver beating, precise mode with InfluxDB unreachable"
        ),
    )
    ui_dist_dir: Path = Field(
        default=Path(__file__).resolve().parents[5] / "web" / "dist",  # core/ of src/mv_gateway
        description="The built web UI (web/ of the repository; images set UI_DIST_DIR)",
    )
    shutdown_grace_seconds: int = Field(
        default=10, gt=0, le=600,
        description="Seconds a stopping gateway waits for requests in flight before it cuts them",
    )  # fmt: skip
    max_command_bytes: int = Field(
        default=786_432, ge=1024, le=64 * 1024 * 1024,
        description="Largest test request as a bus command, in bytes (NATS's max_payload is"
        " 1 MiB by default): a larger one is refused with 413",
    )  # fmt: skip
    outbox_publish_timeout: float = Field(
        default=3.0, gt=0, le=60,
        description="Seconds a request waits for NATS to take its command before leaving it"
        " to the outbox relay (the answer is 202 either way)",
    )  # fmt: skip
    max_body_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024,
        description="Largest request body in bytes; a larger one is answered 413 unread",
    )  # fmt: skip
    max_public_body_bytes: int = Field(
        default=64 * 1024, ge=1024,
        description="Largest body of a route open to anyone (login): 413 beyond, unread",
    )  # fmt: skip
    max_json_depth: int = Field(
        default=64, ge=2, le=500,
        description="Deepest nesting of arrays and objects a JSON body may have (422 beyond)",
    )  # fmt: skip
    body_read_seconds: float = Field(
        default=30, gt=0, le=3600,
        description="Seconds a client has to send a request body once its headers are in (408)",
    )  # fmt: skip
    header_read_seconds: float = Field(
        default=10, gt=0, le=600,
        description="Seconds a connection has to send a request's headers, from connecting or"
        " from its first byte after a keep-alive pause; then it is closed",
    )  # fmt: skip
    stream_recheck_seconds: float = Field(
        default=30, gt=0, le=300,
        description="How often an open SSE or WebSocket stream re-checks its session or token;"
        " a revoked, expired or disabled one ends the stream",
    )  # fmt: skip
    max_streams_per_credential: int = Field(
        default=20, ge=1, le=10_000,
        description="Live streams (SSE and WebSocket) one session or API token may hold open",
    )  # fmt: skip
    max_vus: int = Field(
        default=5_000, ge=1, description="Most VUs one test may ask for, over all its scenarios"
    )
    max_arrival_rate: float = Field(
        default=50_000, gt=0, description="Most iterations per second an arrival-rate scenario"
        " (rate or stage target over time_unit) may ask for",
    )  # fmt: skip
    max_test_seconds: float = Field(
        default=4 * 3600, gt=0, description="Longest a test's scenario may run, start_time included"
    )
    max_scenarios: int = Field(default=20, ge=1, le=100, description="Most scenarios per test")
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins (JSON list) whose browser pages may call the API; none by default."
        " Credentials (cookies, Authorization) are allowed for these origins only",
    )  # fmt: skip

    # Access control (mv_gateway.auth). The first admin is created at start-up when no user
    # exists; GATEWAY_ADMIN_TOKEN (the local stack's) is registered as an admin API token.
    gateway_admin_username: str = Field(
        default="admin", min_length=1, max_length=64, description="The first admin's user name"
    )
    gateway_admin_password: SecretStr | None = Field(
        default=None, description="The first admin's password; never a default, weak ones refused"
    )
    gateway_admin_token: SecretStr | None = Field(
        default=None, description="An admin API token to accept (mvt_…), e.g. the local stack's"
    )
    session_hours: float = Field(default=12, gt=0, le=24 * 30, description="Login lifetime")
    secure_cookies: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="Secure flag of the session cookie: auto sets it when the request is HTTPS",
    )
    login_attempts: int = Field(
        default=5, ge=1, le=1000, description="Failed logins one client address is allowed..."
    )
    login_window_seconds: float = Field(default=300, gt=0, description="...in this many seconds")
    login_backoff_after: int = Field(
        default=3, ge=1, le=1000,
        description="Failed logins of one user from one address before each further attempt"
        " from there waits 2, 4, 8 … seconds (other addresses are not slowed)",
    )  # fmt: skip
    login_backoff_max_seconds: float = Field(
        default=3600, ge=1, le=7 * 24 * 3600, description="The longest that back-off grows to"
    )
    trusted_proxies: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description="Proxies (JSON list of addresses and networks) whose X-Forwarded-For and"
        " X-Forwarded-Proto are believed: the client is the right-most address not one of them."
        " Empty by default: the headers are ignored and the socket's peer is the client",
    )  # fmt: skip
    allowed_targets: list[str] | None = Field(
        default=None,
        description="Hosts, *.domains and networks load may be aimed at until an admin sets them "
        "(PUT /settings/allowed-targets); unset: mv_gateway.auth.targets.DEFAULT_ALLOWED",
    )
    tester_max_vus: int = Field(default=500, ge=1, description="VUs a tester's test may use")
    tester_max_duration_seconds: float = Field(
        default=3600, gt=0, description="How long a tester's test may last"
    )
    admin_max_vus: int = Field(default=10_000, ge=1, description="VUs an admin's test may use")
    admin_max_duration_seconds: float = Field(
        default=6 * 3600, gt=0, description="How long an admin's test may last"
    )
    tester_max_running_tests: int = Field(
        default=3, ge=1, description="Tests one tester (user or token) may have pending or"
        " running at once; one more is answered 429",
    )  # fmt: skip
    admin_max_running_tests: int = Field(default=10, ge=1, description="The same for an admin")
    analysis: AnalysisThresholds = Field(
        default_factory=AnalysisThresholds,
        description="What the findings judge by (ANALYSIS__FAILURE_RATE_WARNING=0.02, ...)",
    )
    llm_base_url: str | None = Field(
        default=None,
        description="An OpenAI-compatible API (…/v1) for optional written summaries; off if unset",
    )
    llm_model: str | None = Field(default=None, description="The chat model to ask")
    llm_api_key: SecretStr | None = Field(default=None, description="Bearer key, if it needs one")
    llm_timeout: float = Field(default=60, gt=0, le=600, description="Seconds per summary")
    public_url: str | None = Field(
        default=None, max_length=500,
        description="The address people open the UI at (https://vault.example.com), for links in"
        " notifications; unset: http://GATEWAY_HOST:GATEWAY_PORT",
    )  # fmt: skip
    notify: NotifySettings = Field(
        default_factory=NotifySettings,
        description="Notification channels: tries, back-off, outbound networks, SMTP",
    )

    def ui_url(self, path: str) -> str:
        base = self.public_url or f"http://{self.gateway_host}:{self.gateway_port}"
        return f"{base.rstrip('/')}/ui{path}"

    def platform_services(self) -> list[tuple[str, int]]:
        """(host, port) of the platform's own services, never reached on a user's word."""
        return platform_services(
            self.notify, self.nats_url, (self.influxdb_host, self.influxdb_port),
            self.database_url, (self.gateway_host, self.gateway_port),
        )  # fmt: skip
