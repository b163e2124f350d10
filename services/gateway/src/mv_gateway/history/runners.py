"""The k6 runners of a test and each one's state, kept in ``test_history.runners`` (revision 0007).

TEST_STARTED names the runners (index, name, execution segment; a one-runner test from a runner
that names none is its job); TEST_FINISHED may add each runner's own ending (a split test). The
events can arrive in either order, so each merges into what the other left. A runner without an
ending of its own is in the test's state: pending, running, or how the test ended.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from mv_contracts.lifecycle import RunnerInfo, TestFinished, TestStarted

from .tables import TestHistory

WHOLE_TEST = "0:1"  # the execution segment of a test that is not split

_OWN_ENDING = ("status", "reason", "thresholds_crossed")


class RunnerRead(BaseModel):
    index: int = Field(description="1..parallelism")
    name: str | None = Field(description="Job (Kubernetes) or run folder (local) of this runner")
    execution_segment: str | None = Field(examples=["0:1/2"], description="Its share of the load")
    status: str = Field(
        description="Its own ending when the test-runner reported one (a split test), else "
        "the test's status: pending, running, succeeded, failed, timed_out, cancelled"
    )
    reason: str | None = Field(default=None, description="Why, when it did not succeed")


def _by_index(stored: list[dict[str, Any]] | None) -> dict[int, dict[str, Any]]:
    # copies: the column's value is replaced, never changed in place (SQLAlchemy would miss it)
    return {int(r["index"]): dict(r) for r in stored or []}


def on_started(stored: list[dict[str, Any]] | None, started: TestStarted) -> list[dict[str, Any]]:
    """The runners TEST_STARTED names, with the endings a finished event already gave."""
    infos = started.runners or [
        RunnerInfo(index=1, name=started.job_name, execution_segment=WHOLE_TEST)
    ]
    ended = _by_index(stored)
    return [{**info.model_dump(mode="json"), **_ending(ended.get(info.index))} for info in infos]


def on_finished(
    stored: list[dict[str, Any]] | None, finished: TestFinished
) -> list[dict[str, Any]] | None:
    """The stored runners with each one's own ending from TEST_FINISHED, if it gives them."""
    if not finished.runners:
        return stored
    runners = _by_index(stored)
    for end in finished.runners:
        runner = runners.setdefault(end.index, {"index": end.index, "name": end.name})
        runner.update(end.model_dump(mode="json", include=set(_OWN_ENDING)))
    return [runners[i] for i in sorted(runners)]


def _ending(runner: dict[str, Any] | None) -> dict[str, Any]:
    return {k: runner[k] for k in _OWN_ENDING if runner and k in runner}


def runner_states(test: TestHistory) -> list[RunnerRead]:
    """Each runner of the test as far as the platform knows it; none before TEST_STARTED."""
    stored = test.runners or []
    alone = len(stored) == 1
    return [
        RunnerRead(
            index=r["index"],
            name=r.get("name"),
            execution_segment=r.get("execution_segment"),
            status=r.get("status") or test.status,
            # one runner: the test's reason is its own
            reason=r.get("reason") if "status" in r else (test.status_reason if alone else None),
        )
        for r in stored
    ]
