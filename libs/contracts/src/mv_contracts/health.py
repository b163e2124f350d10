"""Heartbeats: each service says every few seconds that it is alive and how its own
dependencies look, so the gateway can tell which parts of the product are running."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from .common import Text
from .envelope import Contract, Envelope

# The parts of the product that beat, by the names they log and deploy under. The gateway does
# not beat: it is the one that listens (and answers GET / itself).
ServiceName = Literal[
    "spec-analyzer", "test-runner", "metrics-aggregator", "metrics-receiver", "pod-watcher"
]
SERVICE_NAMES: tuple[ServiceName, ...] = (
    "spec-analyzer",
    "test-runner",
    "metrics-aggregator",
    "metrics-receiver",
    "pod-watcher",
)


class DependencyState(Contract):
    """What a service can see of something it needs (InfluxDB, JetStream, k6, the cluster)."""

    ok: bool
    detail: Text | None = Field(default=None, max_length=300, description="Why not, in words")


class Heartbeat(Contract):
    service: ServiceName
    instance: Text = Field(
        min_length=1, max_length=200, description="Host (the pod's name in Kubernetes) and pid"
    )
    version: Text = Field(max_length=50)
    started_at: AwareDatetime
    every_seconds: float = Field(gt=0, description="The beat's interval; a listener's unit")
    kubernetes: bool = Field(
        default=False,
        description=(
            "It works against a Kubernetes cluster: the test-runner runs k6 as Jobs, the "
            "pod-watcher watches a namespace"
        ),
    )
    dependencies: dict[str, DependencyState] = Field(default_factory=dict)


class HeartbeatEvent(Envelope):
    type: Literal["service.heartbeat"] = "service.heartbeat"
    payload: Heartbeat
