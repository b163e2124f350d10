"""The messages live clients receive, grouped as the public stream always sent them: k6
figures, and per pod ``usage`` (percent), ``actual_usage`` (absolute) and ``specs`` (requests
and limits)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, Field

from mv_contracts.lifecycle import RunStatus
from mv_contracts.metrics import LiveSnapshot, MetricFigures
from mv_contracts.pods import PodResources, PodResourcesSnapshot
from mv_gateway.analysis import FailureRead, Finding, failure_rows


class Include(StrEnum):
    ALL = "all"
    K6_ONLY = "k6_only"
    RESOURCES_ONLY = "resources_only"


class PodUsage(BaseModel):
    cpu_percent: float | None = Field(description="Of the CPU limit, else the request")
    memory_percent: float | None = Field(description="Of the memory limit, else the request")


class PodActualUsage(BaseModel):
    cpu_millicores: float | None
    memory_mb: float | None


class PodSpecs(BaseModel):
    cpu_request_millicores: float | None
    cpu_limit_millicores: float | None
    memory_request_mb: float | None
    memory_limit_mb: float | None


class PodLive(BaseModel):
    namespace: str
    pod: str
    phase: str | None
    usage: PodUsage
    actual_usage: PodActualUsage
    specs: PodSpecs

    @classmethod
    def of(cls, pod: PodResources) -> PodLive:
        return cls(
            namespace=pod.namespace,
            pod=pod.pod,
            phase=pod.phase,
            usage=PodUsage(cpu_percent=pod.cpu_percent, memory_percent=pod.memory_percent),
            actual_usage=PodActualUsage(
                cpu_millicores=pod.cpu_usage_millicores, memory_mb=pod.memory_usage_mb
            ),
            specs=PodSpecs(
                cpu_request_millicores=pod.cpu_request_millicores,
                cpu_limit_millicores=pod.cpu_limit_millicores,
                memory_request_mb=pod.memory_request_mb,
                memory_limit_mb=pod.memory_limit_mb,
            ),
        )


class TestEnd(BaseModel):
    status: RunStatus
    reason: str | None = None


class LiveSummary(BaseModel):
    """How the stored summary of a test came out, the last message of a stream of that test:
    figures that are not whole say so here too, not only in the details."""

    stored: bool = Field(
        description="False when the stream stopped waiting (LIVE_SUMMARY_WAIT_SECONDS after the "
        "end) before the gateway stored the summary; it may still come: read the details later"
    )
    complete: bool | None = Field(
        default=None,
        description="Whether the stored figures hold every request k6 made; None when not stored",
    )
    incomplete_reason: str | None = Field(
        default=None, description="Why they do not, e.g. 'InfluxDB has 451 of 1,001 requests'"
    )
    figures: MetricFigures | None = Field(
        default=None, description="The test's overall figures as stored; None when not stored"
    )
    test_history_id: int | None = Field(default=None, description="The test's history id")
    details_url: str | None = Field(
        default=None, description="Every stored figure, per scenario too", examples=[
            "/test-history/42/details"
        ],
    )  # fmt: skip


class LiveMessage(BaseModel):
    """One event of ``/sse/k6-data`` and ``/ws/k6-data``; ``seq`` is the SSE event id."""

    __test__ = False

    seq: int = Field(default=0, description="Increasing id; send it back as Last-Event-ID")
    kind: Literal["k6", "resources", "alert", "end", "summary"]
    at: datetime
    test_id: str | None = Field(description="The test; None for resources seen with no test")
    test_ids: list[str] = Field(default_factory=list, description="Tests running at that time")
    k6: LiveSnapshot | None = None
    failures: dict[str, list[FailureRead]] | None = Field(
        default=None,
        description="With k6: failed requests since the start by kind, in words: under '' the "
        "whole test, else under each scenario's tag (k6.scenarios[].name)",
    )
    resources: list[PodLive] | None = None
    end: TestEnd | None = None
    alert: Finding | None = Field(default=None, description="A live finding, e.g. a burst")
    summary: LiveSummary | None = Field(
        default=None, description="After the end: the stored summary's outcome"
    )

    @cached_property
    def encoded(self) -> str:
        """The JSON text, made once however many clients receive the message."""
        return self.model_dump_json()

    @cached_property
    def sse_frame(self) -> bytes:
        """The whole Server-Sent Event, unnamed (the kind is inside the JSON): what
        ``EventSource.onmessage`` receives. Made once however many clients receive it."""
        return f"id: {self.seq}\ndata: {self.encoded}\n\n".encode()

    @cached_property
    def named_sse_frame(self) -> bytes:
        """The event named by its kind (``event: k6``), for ``addEventListener("k6", ...)``
        clients (``?named=true``)."""
        return f"id: {self.seq}\nevent: {self.kind}\ndata: {self.encoded}\n\n".encode()

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "seq": 42,
                    "kind": "resources",
                    "at": "2026-11-22T09:30:05Z",
                    "test_id": "6f1c2f55-3b8e-4d0e-9a51-1f0a4c2d9e77",
                    "test_ids": ["6f1c2f55-3b8e-4d0e-9a51-1f0a4c2d9e77"],
                    "resources": [
                        {
                            "namespace": "test",
                            "pod": "demo-api-7d9f",
                            "phase": "Running",
                            "usage": {"cpu_percent": 24.0, "memory_percent": 18.6},
                            "actual_usage": {"cpu_millicores": 120.0, "memory_mb": 100.0},
                            "specs": {
                                "cpu_request_millicores": 250.0,
                                "cpu_limit_millicores": 500.0,
                                "memory_request_mb": 268.4,
                                "memory_limit_mb": 536.9,
                            },
                        }
                    ],
                }
            ]
        }
    }


def k6_message(snapshot: LiveSnapshot) -> LiveMessage:
    return LiveMessage(
        kind="k6",
        at=snapshot.at,
        test_id=snapshot.test_id,
        test_ids=[snapshot.test_id],
        k6=snapshot,
        failures={
            "": failure_rows(snapshot.failures),
            **{s.name: failure_rows(s.failures) for s in snapshot.scenarios},
        },
    )


def resources_message(snapshot: PodResourcesSnapshot) -> LiveMessage:
    return LiveMessage(
        kind="resources",
        at=snapshot.at,
        test_id=snapshot.test_ids[0] if len(snapshot.test_ids) == 1 else None,
        test_ids=list(snapshot.test_ids),
        resources=[PodLive.of(pod) for pod in snapshot.pods],
    )


def alert_message(test_id: str, at: datetime, alert: Finding) -> LiveMessage:
    return LiveMessage(kind="alert", at=at, test_id=test_id, test_ids=[test_id], alert=alert)


class StoredSummary(BaseModel):
    """What the gateway stored of a test's summary."""

    at: datetime
    complete: bool
    incomplete_reason: str | None = None
    figures: MetricFigures


class StoredEnd(BaseModel):
    """How a test ended, as the gateway stored it from the durable finished event, and its
    summary once stored."""

    test_id: str
    test_history_id: int | None = None
    at: datetime
    status: RunStatus
    reason: str | None = None
    summary: StoredSummary | None = None


def end_message(test_id: str, at: datetime, status: RunStatus, reason: str | None) -> LiveMessage:
    return LiveMessage(
        kind="end",
        at=at,
        test_id=test_id,
        test_ids=[test_id],
        end=TestEnd(status=status, reason=reason),
    )


def summary_message(test_id: str, stored: StoredEnd | None, at: datetime) -> LiveMessage:
    """The stored summary of the test, or, when there is none (yet), a message saying so;
    ``at`` is the time of the latter."""
    summary = stored.summary if stored else None
    history_id = stored.test_history_id if stored else None
    outcome = LiveSummary(
        stored=summary is not None,
        complete=summary.complete if summary else None,
        incomplete_reason=summary.incomplete_reason if summary else None,
        figures=summary.figures if summary else None,
        test_history_id=history_id,
        details_url=f"/test-history/{history_id}/details" if history_id is not None else None,
    )
    return LiveMessage(
        kind="summary",
        at=summary.at if summary else at,
        test_id=test_id,
        test_ids=[test_id],
        summary=outcome,
    )
