"""Live alerts: a burst of failures spotted while a test runs, from consecutive snapshots.

Each snapshot carries cumulative requests and failures; the difference of two is the window in
between. The failure rate of the first snapshots is the start's; a window whose rate is
``rise`` above it (with enough requests to mean something) raises one alert, and the watch
re-arms once the rate has come back below half that rise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mv_contracts.metrics import LiveFigures, LiveSnapshot
from mv_gateway.analysis import Finding, Severity, Words

OPENING_SNAPSHOTS = 1  # the first window is the start: tests can be short
MIN_WINDOW_REQUESTS = 20


@dataclass(slots=True)
class _Group:
    requests: int = 0
    failed: int = 0
    seen: int = 0
    start_requests: int = 0
    start_failed: int = 0
    alerting: bool = False

    @property
    def start_rate(self) -> float:
        return self.start_failed / self.start_requests if self.start_requests else 0.0


@dataclass(slots=True)
class BurstWatch:
    rise: float
    min_window_requests: int = MIN_WINDOW_REQUESTS
    _tests: dict[str, dict[str | None, _Group]] = field(default_factory=dict)

    def feed(self, snapshot: LiveSnapshot) -> list[Finding]:
        """Alerts the snapshot raises, naming scenarios as the user wrote them."""
        groups = self._tests.setdefault(snapshot.test_id, {})
        alerts = []
        figures: list[tuple[str | None, str | None, LiveFigures]] = [(None, None, snapshot.overall)]
        figures += [(s.name, s.label or s.name, s.figures) for s in snapshot.scenarios]
        for tag, name, current in figures:
            group = groups.setdefault(tag, _Group())
            alert = self._step(group, current)
            if alert is not None:
                alerts.append(_finding(name, *alert))
        return alerts

    def forget(self, test_id: str) -> None:
        self._tests.pop(test_id, None)

    def _step(self, group: _Group, current: LiveFigures) -> tuple[float, float, int] | None:
        window_requests = current.requests_total - group.requests
        window_failed = current.failed_total - group.failed
        group.requests, group.failed = current.requests_total, current.failed_total
        group.seen += 1
        if group.seen <= OPENING_SNAPSHOTS:
            group.start_requests, group.start_failed = current.requests_total, current.failed_total
            return None
        if window_requests < self.min_window_requests:
            return None
        rate = window_failed / window_requests
        if rate >= group.start_rate + self.rise and not group.alerting:
            group.alerting = True
            return group.start_rate, rate, window_requests
        if rate < group.start_rate + self.rise / 2:
            group.alerting = False
        return None


def _finding(scenario: str | None, start: float, rate: float, requests: int) -> Finding:
    where_en = f"in scenario {scenario!r}" if scenario else "across the test"
    where_ko = f"시나리오 '{scenario}'에서" if scenario else "테스트 전체에서"
    return Finding(
        rule="failures.burst",
        severity=Severity.WARNING,
        scenario=scenario,
        title=Words(en="Failures are rising", ko="실패가 늘고 있습니다"),
        detail=Words(
            en=f"{rate:.0%} of the last {requests:,} requests failed {where_en}, against "
            f"{start:.1%} at the start.",
            ko=f"{where_ko} 최근 요청 {requests:,}건 중 {rate:.0%}가 실패했습니다 "
            f"(시작 시 {start:.1%}).",
        ),
        evidence={
            "window_error_rate": rate,
            "start_error_rate": start,
            "window_requests": requests,
        },
    )
