"""A run's state, apart from its verdict: whether k6 ran the test to its end, not whether the
test passed. k6 ending with "thresholds crossed" ran to its end (its targets are the verdict's
business), so that run is completed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from mv_contracts.lifecycle import RunStatus

from .tables import ACTIVE, PENDING, RUNNING

THRESHOLDS_CROSSED = "thresholds crossed"  # the test-runner's reason for k6's exit code 99


class RunState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED_TO_RUN = "failed_to_run"
    CANCELLED = "cancelled"


def run_state(status: str, reason: str | None, finished: dict[str, Any] | None) -> RunState:
    if status == PENDING:
        return RunState.PENDING
    if status == RUNNING:
        return RunState.RUNNING
    if status == RunStatus.CANCELLED:
        return RunState.CANCELLED
    crossed = bool((finished or {}).get("thresholds_crossed")) or (reason or "").startswith(
        THRESHOLDS_CROSSED
    )
    if status == RunStatus.SUCCEEDED or crossed:
        return RunState.COMPLETED
    return RunState.FAILED_TO_RUN


def has_ended(state: RunState, *, is_completed: bool) -> bool:
    """The run is over: the test-runner reported its end and the state is no longer active."""
    return is_completed and state.value not in ACTIVE
