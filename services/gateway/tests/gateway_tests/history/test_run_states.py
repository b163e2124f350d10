"""A run's state from the runner's status and reason, and when a run counts as over (the
``ended`` of GET /test-history/{id}/details, which the CLI and the demo wait on)."""

from __future__ import annotations

import pytest

from mv_gateway.history.states import THRESHOLDS_CROSSED, RunState, has_ended, run_state


@pytest.mark.parametrize(
    ("status", "reason", "finished", "state"),
    [
        ("pending", None, None, RunState.PENDING),
        ("running", "a runner is slow to start", None, RunState.RUNNING),
        ("succeeded", None, {}, RunState.COMPLETED),
        ("failed", f"{THRESHOLDS_CROSSED}: http_req_failed", None, RunState.COMPLETED),
        ("failed", "k6 exited with 107", {"thresholds_crossed": True}, RunState.COMPLETED),
        ("failed", "k6 exited with 107", {}, RunState.FAILED_TO_RUN),
        ("timed_out", None, None, RunState.FAILED_TO_RUN),
        ("cancelled", None, None, RunState.CANCELLED),
    ],
)
def test_the_state_says_whether_k6_ran_the_test_to_its_end(
    status: str, reason: str | None, finished: dict[str, bool] | None, state: RunState
) -> None:
    assert run_state(status, reason, finished) == state


def test_a_run_is_over_once_reported_ended_and_no_longer_active() -> None:
    assert has_ended(RunState.COMPLETED, is_completed=True)
    assert has_ended(RunState.CANCELLED, is_completed=True)
    # The finished event not stored yet (a cancel the runner has not confirmed): not over.
    assert not has_ended(RunState.CANCELLED, is_completed=False)
    assert not has_ended(RunState.RUNNING, is_completed=True)
    assert not has_ended(RunState.PENDING, is_completed=False)
