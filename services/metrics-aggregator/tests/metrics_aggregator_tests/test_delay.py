"""How long the aggregator waits after a test's end before summarising."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from faststream.nats import NatsBroker

from mv_contracts.lifecycle import RunStatus, TestFinished
from mv_metrics_aggregator.aggregator import Aggregator, make_aggregator
from mv_metrics_aggregator.live import RunningTest
from mv_metrics_aggregator.settings import Settings

END = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def finished(executor: str | None) -> TestFinished:
    return TestFinished(
        test_id="t", status=RunStatus.SUCCEEDED, finished_at=END,
        executor=executor,
    )  # fmt: skip


@pytest.fixture
def aggregator() -> Aggregator:
    """Nothing is queried or published: InfluxDB and NATS are never reached."""
    return make_aggregator(
        Settings(scheduler_metrics_delay=30, local_metrics_delay=1), NatsBroker()
    )


@pytest.mark.parametrize(
    ("running_executor", "event_executor", "wait"),
    [
        ("local", None, 1.0),  # the live loop knows: k6 ran here and has flushed
        (None, "local", 1.0),  # a replica that never saw the start reads it from the event
        (None, "kubernetes", 30.0),
        (None, None, 30.0),  # an older runner that does not say
        ("kubernetes", "local", 30.0),  # the live loop wins
    ],
)
def test_the_wait_depends_on_where_k6_ran(
    aggregator: Aggregator, running_executor: str | None, event_executor: str | None, wait: float
) -> None:
    running = RunningTest("t", END, running_executor) if running_executor else None
    assert aggregator.delay(finished(event_executor), running, END) == wait
    # counted from the end: a redelivery 20 s later waits what is left
    later = END + timedelta(seconds=20)
    assert aggregator.delay(finished(event_executor), running, later) == max(0.0, wait - 20)
