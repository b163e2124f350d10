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
