"""Metrics aggregator settings (environment variables of the same names, upper-cased)."""

from __future__ import annotations

from pydantic import Field

from mv_runtime.settings import InfluxDBSettings


class Settings(InfluxDBSettings):
    influxdb_retention_days: int = Field(
        default=0, ge=0, le=36_500,
        description="Days InfluxDB keeps raw and compact points (the default retention policy of"
        " the database, set at start); 0 keeps them for ever. Summaries stay in the gateway",
    )  # fmt: skip
    live_interval: float = Field(
        default=5, ge=1, description="Seconds between live snapshots of a test in the precise mode"
    )
    live_lag: float = Field(
        default=1,
        ge=0,
        description="Seconds the live window ends before now (precise mode): k6's InfluxDB "
        "output writes samples every second",
    )
    # The fast mode: k6 pushes one compact point per series every second, so a snapshot every
    # second shows each push. Half a second of lag puts the window's end midway between two
    # pushes (both tickers start within moments of k6's start), so each window holds one push
    # and the first push is seen at the second snapshot: under 2 s after k6's first request.
    live_interval_fast: float = Field(
        default=1, ge=0.5, description="Seconds between live snapshots of a test in the fast mode"
    )
    live_lag_fast: float = Field(
        default=0.5, ge=0, description="Seconds the live window ends before now (fast mode)"
    )
    live_settle: float = Field(
        default=30,
        gt=0,
        description="Seconds after which live totals count a sample as pushed and keep its sum",
    )
    live_max_hours: float = Field(
        default=48, gt=0, description="A live loop whose finished event never comes stops then"
    )
    scheduler_metrics_delay: float = Field(
        default=30,
        ge=0,
        description="Seconds after a test's finish before summarising (k6 may still flush)",
    )
    local_metrics_delay: float = Field(
        default=1,
        ge=0,
        description="The same for the local executor: k6 has exited, so its output is flushed",
    )
    scheduler_max_retry: int = Field(
        default=3, ge=0, description="Quick retries of one InfluxDB request (0.5 s, 1 s, 2 s ...)"
    )
    summary_count_wait: float = Field(
        default=30,
        ge=0,
        description="Seconds after a test's finish to wait for InfluxDB to hold as many requests "
        "as k6 counted (its last flush can arrive late); a shortfall left then is reported",
    )
    summary_count_settle: float = Field(
        default=5,
        gt=0,
        description="Seconds the count may stay short of k6's, unchanged, before the shortfall "
        "is taken as final",
    )
    summary_count_poll: float = Field(
        default=1, gt=0, description="Seconds between counts while waiting for k6's count"
    )
    summary_retry_seconds: float = Field(
        default=1800,
        ge=0,
        description="Seconds after a test's finish during which a summary InfluxDB cannot give "
        "is retried; after that the summary is published as failed (complete=false)",
    )
    summary_retry_max_delay: float = Field(
        default=10, gt=0, description="Longest pause in seconds between two summary attempts"
    )
    window_margin: float = Field(
        default=60, ge=0, description="Seconds added around a test's window for clock skew"
    )
    summary_lookback_hours: float = Field(
        default=24, gt=0, description="Window start when a finished event carries no start time"
    )
