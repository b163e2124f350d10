"""What the gateway hears of the other services: the last heartbeat of each instance, in memory
(every replica listens to every beat), and from it each service's state.

A service is ``ok`` while one of its instances beat within ``HEALTH_MISSED_BEATS`` of its own
intervals, ``missing`` otherwise (never heard since this gateway started, or gone quiet).
Required: every service, but the pod-watcher only when Kubernetes is on -- when a test-runner
that is beating runs k6 as Kubernetes Jobs (its beat says so). A laptop's local runner needs no
pod-watcher; a cluster's does (the pods under test are what it watches).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from faststream.nats import NatsBroker
from pydantic import BaseModel, Field

from mv_contracts.health import SERVICE_NAMES, DependencyState, Heartbeat, HeartbeatEvent
from mv_contracts.subjects import HEARTBEAT
from mv_runtime.bus import subscribe

SERVICE = "gateway"
INSTANCES_KEPT = 20  # per service; the oldest quiet ones are forgotten past it


class InstanceHealth(BaseModel):
    instance: str
    version: str
    started_at: datetime
    seconds_since_beat: float
    fresh: bool
    kubernetes: bool
    dependencies: dict[str, DependencyState]


class ServiceHealth(BaseModel):
    state: Literal["ok", "missing"]
    required: bool
    reason: str | None = Field(default=None, description="Why missing, or what it says is wrong")
    instances: list[InstanceHealth] = Field(default_factory=list)


@dataclass
class _Seen:
    at: float  # time.monotonic() of the last beat
    beat: Heartbeat


class Heartbeats:
    def __init__(self, missed_beats: int) -> None:
        self.missed_beats = missed_beats
        self._since = time.monotonic()
        self._seen: dict[str, dict[str, _Seen]] = {name: {} for name in SERVICE_NAMES}

    def heard(self, beat: Heartbeat) -> None:
        instances = self._seen[beat.service]
        instances[beat.instance] = _Seen(time.monotonic(), beat)
        if len(instances) > INSTANCES_KEPT:
            del instances[min(instances, key=lambda name: instances[name].at)]

    def _fresh(self, seen: _Seen, now: float) -> bool:
        return now - seen.at <= self.missed_beats * seen.beat.every_seconds

    def kubernetes(self) -> bool:
        now = time.monotonic()
        return any(
            s.beat.kubernetes and self._fresh(s, now) for s in self._seen["test-runner"].values()
        )

    def fresh(self, service: str) -> bool:
        now = time.monotonic()
        return any(self._fresh(s, now) for s in self._seen[service].values())

    def services(self) -> dict[str, ServiceHealth]:
        now = time.monotonic()
        kubernetes = self.kubernetes()
        answer = {}
        for name, instances in self._seen.items():
            listed = [
                InstanceHealth(
                    instance=s.beat.instance,
                    version=s.beat.version,
                    started_at=s.beat.started_at,
                    seconds_since_beat=round(now - s.at, 1),
                    fresh=self._fresh(s, now),
                    kubernetes=s.beat.kubernetes,
                    dependencies=s.beat.dependencies,
                )
                for s in sorted(instances.values(), key=lambda s: s.beat.instance)
            ]
            live = [i for i in listed if i.fresh]
            required = name != "pod-watcher" or kubernetes
            if live:
                problems = sorted(
                    f"{dep}: {state.detail or 'not ok'}"
                    for i in live
                    for dep, state in i.dependencies.items()
                    if not state.ok
                )
                reason = "; ".join(dict.fromkeys(problems)) or None
                answer[name] = ServiceHealth(
                    state="ok", required=required, reason=reason, instances=listed
                )
            else:
                answer[name] = ServiceHealth(
                    state="missing",
                    required=required,
                    reason=self._silence(listed, now),
                    instances=listed,
                )
        return answer

    def _silence(self, listed: list[InstanceHealth], now: float) -> str:
        if not listed:
            return f"no heartbeat since the gateway started {now - self._since:.0f} s ago"
        last = min(i.seconds_since_beat for i in listed)
        return f"no heartbeat for {last:.0f} s"


def register(broker: NatsBroker, heartbeats: Heartbeats) -> None:
    @subscribe(broker, SERVICE, HEARTBEAT)
    async def heard(message: HeartbeatEvent) -> None:
        heartbeats.heard(message.payload)
