"""Receiver settings (environment variables of the same names, upper-cased)."""

from __future__ import annotations

from pydantic import Field

from mv_runtime.settings import InfluxDBSettings

from .schema import PUSH_SECONDS


class ReceiverSettings(InfluxDBSettings):
    receiver_host: str = Field(default="127.0.0.1", description="Where the receiver listens")
    receiver_port: int = Field(default=9091, ge=1, le=65535, description="Its port")
    receiver_buffer_points: int = Field(
        default=1_000_000,
        ge=1,
        description="Points held while InfluxDB is away (~200 B each); the oldest go past it",
    )
    receiver_batch_points: int = Field(default=5_000, ge=1, description="Points per InfluxDB write")
    receiver_state_ttl: float = Field(
        default=3600,
        gt=0,
        description="Seconds after a test's last push before its cumulative state is forgotten",
    )
    receiver_flush_timeout: float = Field(
        default=10, ge=0, description="Seconds a stopping receiver waits to write what it holds"
    )

    def k6_env(self, *, native_histograms: bool = False) -> dict[str, str]:
        """The environment that points k6's ``experimental-prometheus-rw`` output here."""
        env = {
            "K6_PROMETHEUS_RW_SERVER_URL": (
                f"http://{self.receiver_host}:{self.receiver_port}/api/v1/write"
            ),
            "K6_PROMETHEUS_RW_PUSH_INTERVAL": f"{PUSH_SECONDS}s",
            "K6_PROMETHEUS_RW_TREND_STATS": "count,sum,min,max,p(99)",
        }
        if native_histograms:
            # k6 v2 calls this a legacy name of K6_FEATURES=native-histograms (and warns); the
            # k6 1.x of the Job image has it too (whether 1.x knows K6_FEATURES is unchecked).
            env["K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM"] = "true"
        return env
