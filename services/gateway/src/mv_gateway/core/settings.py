"""Gateway settings, read from the environment (the original's variable names kept)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from mv_gateway.analysis import AnalysisThresholds
from mv_runtime.settings import InfluxDBSettings


class Settings(InfluxDBSettings):
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
    health_timeout: float = Field(default=2.0, gt=0, description="Seconds per health probe")
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
