"""Receiver settings (environment variables of the same names, upper-cased)."""

from __future__ import annotations

from pydantic import Field, model_validator

from mv_contracts.metrics import PUSH_SECONDS
from mv_runtime.settings import InfluxDBSettings


class ReceiverSettings(InfluxDBSettings):
    receiver_host: str = Field(default="127.0.0.1", description="Where the receiver listens")
    receiver_port: int = Field(default=9091, ge=1, le=65535, description="Its port")
    receiver_stream_max_bytes: int = Field(
        default=1 << 30,
        ge=1 << 20,
        description=(
            "Bytes the points stream keeps (file storage; a push is ~1-4 KB per runner and "
            "second); past it the oldest pushes go, written or not"
        ),
    )
    receiver_stream_max_age: float = Field(
        default=86_400,
        gt=0,
        description="Seconds the points stream keeps a push; at least RECEIVER_STATE_TTL",
    )
    receiver_held_bytes: int = Field(
        default=64 << 20,
        ge=0,
        description="Bytes of pushes held in memory while NATS is away; past it pushes get 503",
    )
    receiver_publish_wait: float = Field(
        default=2.0,
        ge=0,
        description=(
            "Seconds a push waits for JetStream to store it before k6 is answered anyway "
            "(it stays held); under k6's own push timeout of 5 s"
        ),
    )
    receiver_batch_pushes: int = Field(
        default=500, ge=1, description="Pushes (messages of the stream) per InfluxDB write"
    )
    receiver_state_ttl: float = Field(
        default=3600,
        gt=0,
        description="Seconds after a test's last push before its cumulative state is forgotten",
    )
    receiver_flush_timeout: float = Field(
        default=10,
        ge=0,
        description="Seconds a stopping receiver waits to store (or write) what it holds",
    )

    @model_validator(mode="after")
    def _stream_outlives_state(self) -> ReceiverSettings:
        # A restarted receiver reads a test's state from its last push on the stream.
        if self.receiver_stream_max_age < self.receiver_state_ttl:
            raise ValueError(
                "RECEIVER_STREAM_MAX_AGE must be at least RECEIVER_STATE_TTL "
                f"({self.receiver_stream_max_age} < {self.receiver_state_ttl} s)"
            )
        return self

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
            # k6 2.x's name (K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM is its deprecated alias);
            # the test-runner sets the same (its Settings.k6_output).
            env["K6_FEATURES"] = "native-histograms"
        return env
