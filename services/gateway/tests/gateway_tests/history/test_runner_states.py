"""The runners of a test as the gateway keeps them, whichever lifecycle event comes first."""

from __future__ import annotations

from datetime import UTC, datetime

from mv_contracts.lifecycle import RunnerInfo, RunnerOutcome, RunStatus, TestFinished, TestStarted
from mv_gateway.history.runners import on_finished, on_started, runner_states
from mv_gateway.history.tables import TestHistory

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
STARTED = TestStarted(
    test_id="t", executor="local", job_name="k6-t", script_name="script.js", started_at=NOW,
    runners=[RunnerInfo(index=1, name="k6-t-1", execution_segment="0:1/2"),
             RunnerInfo(index=2, name="k6-t-2", execution_segment="1/2:1")],
)  # fmt: skip
FINISHED = TestFinished(
    test_id="t", status=RunStatus.FAILED, reason="runner 2/2 (k6-t-2): script error",
    finished_at=NOW,
    runners=[RunnerOutcome(index=1, name="k6-t-1", status=RunStatus.SUCCEEDED),
             RunnerOutcome(index=2, name="k6-t-2", status=RunStatus.FAILED,
                           reason="script error")],
)  # fmt: skip


def _states(runners: object, status: str, reason: str | None = None) -> list[tuple[object, ...]]:
    test = TestHistory(runners=runners, status=status, status_reason=reason)
    return [(r.index, r.name, r.execution_segment, r.status, r.reason) for r in runner_states(test)]


def test_either_order_gives_the_same_runners() -> None:
    started_first = on_finished(on_started(None, STARTED), FINISHED)
    finished_first = on_started(on_finished(None, FINISHED), STARTED)
    assert started_first == finished_first
    assert _states(started_first, "failed", FINISHED.reason) == [
        (1, "k6-t-1", "0:1/2", "succeeded", None),
        (2, "k6-t-2", "1/2:1", "failed", "script error"),
    ]


def test_runners_without_their_own_ending_are_in_the_tests_state() -> None:
    running = on_started(None, STARTED)
    assert [s[3] for s in _states(running, "running")] == ["running", "running"]
    # an older runner names no runners: the test's job is its one runner, with the test's reason
    alone = on_started(None, STARTED.model_copy(update={"runners": []}))
    ended = on_finished(alone, FINISHED.model_copy(update={"runners": []}))
    assert _states(ended, "failed", "k6 crashed") == [(1, "k6-t", "0:1", "failed", "k6 crashed")]
    assert _states(None, "pending") == []
