"""What a notification says: the events of a test's end and the message about them, built from
what is stored (the test's figures, its analysis against the baseline). Plain functions, no I/O.

One message per channel and test: a run that regressed and failed its verdict is one message
whose ``event`` is the gravest of its ``events`` (:data:`GRAVITY`), not three.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from mv_gateway.analysis import Analysis, Judgement, Severity


class Event(StrEnum):
    FINISHED = "finished"
    VERDICT_FAILED = "verdict_failed"
    REGRESSION = "regression"
    FIGURES_INCOMPLETE = "figures_incomplete"
    FAILED_TO_START = "failed_to_start"
    TEST_MESSAGE = "test_message"


GRAVITY = (
    Event.FAILED_TO_START, Event.REGRESSION, Event.VERDICT_FAILED, Event.FIGURES_INCOMPLETE,
    Event.FINISHED, Event.TEST_MESSAGE,
)  # fmt: skip
SUBSCRIBABLE = tuple(e for e in Event if e is not Event.TEST_MESSAGE)
DEFAULT_EVENTS = (
    Event.VERDICT_FAILED, Event.REGRESSION, Event.FIGURES_INCOMPLETE, Event.FAILED_TO_START,
)  # fmt: skip
KEY_FIGURES = ("p95_response_time", "p99_response_time", "avg_error_rate", "avg_tps")
TOP_FINDINGS = 3
_RANK = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


def events_of_summary(analysis: Analysis | None, complete: bool) -> list[Event]:
    """The events of a summarised run (it ran to its end: k6 finished)."""
    found = [Event.FINISHED]
    if analysis is not None and not analysis.passed:
        found.append(Event.VERDICT_FAILED)
    if analysis is not None and analysis.baseline_judgement is Judgement.WORSE:
        found.append(Event.REGRESSION)
    if not complete:
        found.append(Event.FIGURES_INCOMPLETE)
    return found


def main_event(events: list[Event]) -> Event:
    return min(events, key=GRAVITY.index)


def run_message(
    *, event: Event, events: list[Event], test: dict[str, Any], project: dict[str, Any],
    figures: dict[str, float | int | None], analysis: Analysis | None, link: str,
) -> dict[str, Any]:  # fmt: skip
    """The JSON every channel is built from (a webhook receives it as it is)."""
    baseline: dict[str, Any] | None = None
    findings: list[dict[str, Any]] = []
    verdict: dict[str, Any] | None = None
    if analysis is not None:
        verdict = {"outcome": analysis.verdict.outcome.value, "reason": analysis.verdict.reason.en}
        if analysis.baseline_test_id is not None:
            overall = [c for c in analysis.comparisons if c.scenario is None]
            baseline = {
                "test_id": analysis.baseline_test_id,
                "judgement": (analysis.baseline_judgement or Judgement.SAME).value,
                "figures": {
                    c.figure: {"baseline": c.baseline, "current": c.current, "change": c.change,
                               "judgement": c.judgement.value}
                    for c in overall
                },
            }  # fmt: skip
        ranked = sorted(analysis.findings, key=lambda f: _RANK[f.severity])[:TOP_FINDINGS]
        findings = [
            {"rule": f.rule, "severity": f.severity.value, "scenario": f.scenario,
             "title": f.title.en, "detail": f.detail.en}
            for f in ranked if f.severity is not Severity.INFO or len(ranked) < TOP_FINDINGS
        ]  # fmt: skip
    return {
        "event": event.value,
        "events": [e.value for e in events],
        "project": project,
        "test": test,
        "verdict": verdict,
        "figures": {name: figures.get(name) for name in (*KEY_FIGURES, "total_requests")},
        "baseline": baseline,
        "findings": findings,
        "link": link,
    }


def trial_message(project: dict[str, Any], channel: str, at: datetime, link: str) -> dict[str, Any]:
    """What "send a test message" sends: the shape of a real one, with no run in it."""
    return {
        "event": Event.TEST_MESSAGE.value,
        "events": [Event.TEST_MESSAGE.value],
        "project": project,
        "test": None,
        "verdict": None,
        "figures": {},
        "baseline": None,
        "findings": [],
        "link": link,
        "note": f"A test message to the channel {channel!r}, sent at {at.isoformat()}",
    }
