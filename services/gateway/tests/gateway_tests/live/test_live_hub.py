"""The live fan-out on its own: filters, bounded queues, resume and late subscribers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from mv_contracts.lifecycle import RunStatus
from mv_contracts.metrics import LiveFigures, LiveSnapshot, MetricFigures
from mv_contracts.pods import PodResources, PodResourcesSnapshot
from mv_gateway.live.following import Following
from mv_gateway.live.hub import ClientFilter, HubClosed, LiveHub
from mv_gateway.live.messages import (
    Include,
    LiveMessage,
    StoredEnd,
    StoredSummary,
    end_message,
    k6_message,
    resources_message,
    summary_message,
)

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def k6(test_id: str, requests: int) -> LiveMessage:
    figures = LiveFigures(tps=2, requests_total=requests, failed_total=0, error_rate=0)
    return k6_message(LiveSnapshot(test_id=test_id, at=NOW, window_seconds=5, overall=figures))


def pods(*test_ids: str) -> LiveMessage:
    pod = PodResources(
        namespace="test", pod="api-0", cpu_usage_millicores=120, cpu_limit_millicores=500,
        cpu_percent=24, memory_usage_mb=100, memory_limit_mb=512, memory_percent=19.5,
    )  # fmt: skip
    return resources_message(
        PodResourcesSnapshot(namespace="test", at=NOW, pods=[pod], test_ids=list(test_ids))
    )


def drain(queue_items: list[LiveMessage]) -> list[tuple[str, str | None]]:
    return [(m.kind, m.test_id) for m in queue_items]


async def take(hub_client: object, count: int) -> list[LiveMessage]:
    from mv_gateway.live.hub import ClientQueue

    assert isinstance(hub_client, ClientQueue)
    return [await asyncio.wait_for(hub_client.get(), 1) for _ in range(count)]


async def test_filters_by_test_and_kind() -> None:
    hub = LiveHub()
    everything = hub.subscribe(ClientFilter())
    only_a = hub.subscribe(ClientFilter(test_id="a"))
    a_resources = hub.subscribe(ClientFilter(test_id="a", include=Include.RESOURCES_ONLY))
    a_k6 = hub.subscribe(ClientFilter(test_id="a", include=Include.K6_ONLY))
    for message in (
        k6("a", 1),
        k6("b", 1),
        pods("a", "b"),
        pods("b"),
        end_message("a", NOW, RunStatus.SUCCEEDED, None),
    ):
        hub.publish(message)  # fmt: skip
    assert len(everything) == 5
    assert drain(await take(only_a, 3)) == [("k6", "a"), ("resources", None), ("end", "a")]
    assert [m.kind for m in await take(a_resources, 2)] == ["resources", "end"]
    assert [m.kind for m in await take(a_k6, 2)] == ["k6", "end"]
    assert len(only_a) == len(a_resources) == len(a_k6) == 0


async def test_a_slow_client_loses_its_oldest_messages_only() -> None:
    hub = LiveHub(queue_size=3)
    slow = hub.subscribe(ClientFilter())
    fast = hub.subscribe(ClientFilter())
    received: list[int] = []
    for n in range(1, 11):
        hub.publish(k6("a", n))
        received.append((await fast.get()).k6.overall.requests_total)  # type: ignore[union-attr]
    assert received == list(range(1, 11))
    kept = [m.k6.overall.requests_total for m in await take(slow, 3)]  # type: ignore[union-attr]
    assert kept == [8, 9, 10]
    assert slow.dropped == 7
    assert fast.dropped == 0
    assert hub.dropped_total == 7


async def test_resume_after_last_event_id_replays_what_was_missed() -> None:
    hub = LiveHub()
    first = hub.publish(k6("a", 1))
    hub.publish(k6("a", 2))
    hub.publish(pods("a"))
    assert first is not None
    resumed = hub.subscribe(ClientFilter(test_id="a"), last_event_id=first.seq)
    replay = await take(resumed, 2)
    assert [m.seq for m in replay] == [first.seq + 1, first.seq + 2]
    assert len(resumed) == 0


async def test_a_late_subscriber_gets_the_current_state_of_running_tests() -> None:
    hub = LiveHub()
    hub.publish(k6("a", 1))
    hub.publish(k6("a", 5))
    hub.publish(k6("b", 3))
    hub.publish(end_message("b", NOW, RunStatus.FAILED, "thresholds crossed"))
    hub.publish(pods("a"))
    late = hub.subscribe(ClientFilter())
    state = await take(late, 2)
    assert [(m.kind, m.test_id) for m in state] == [("k6", "a"), ("resources", "a")]
    assert state[0].k6 is not None
    assert state[0].k6.overall.requests_total == 5
    assert hub.running_tests() == ["a"]


async def test_nothing_of_an_ended_test_is_sent_again() -> None:
    hub = LiveHub()
    client = hub.subscribe(ClientFilter(test_id="a"))
    assert hub.publish(end_message("a", NOW, RunStatus.SUCCEEDED, None)) is not None
    assert hub.publish(end_message("a", NOW, RunStatus.SUCCEEDED, None)) is None  # redelivered
    assert hub.publish(k6("a", 9)) is None  # late snapshot
    assert len(client) == 1
    hub.unsubscribe(client)
    assert hub.clients == 0


def test_resources_are_grouped_as_usage_actual_usage_and_specs() -> None:
    message = pods("a")
    assert message.resources is not None
    pod = message.resources[0].model_dump()
    assert pod["usage"] == {"cpu_percent": 24.0, "memory_percent": 19.5}
    assert pod["actual_usage"] == {"cpu_millicores": 120.0, "memory_mb": 100.0}
    assert pod["specs"] == {
        "cpu_request_millicores": None, "cpu_limit_millicores": 500.0,
        "memory_request_mb": None, "memory_limit_mb": 512.0,
    }  # fmt: skip


def _following(hub: LiveHub, test_id: str | None, summary_wait: float = 30) -> Following:
    return Following(hub, ClientFilter(test_id=test_id), check_seconds=0.05,
                     summary_wait=summary_wait)  # fmt: skip


def _summary(test_id: str, complete: bool) -> LiveMessage:
    stored = StoredEnd(
        test_id=test_id, test_history_id=7, at=NOW, status=RunStatus.SUCCEEDED,
        summary=StoredSummary(at=NOW, complete=complete, figures=MetricFigures(total_requests=5),
                              incomplete_reason=None if complete else "InfluxDB has 5 of 9"),
    )  # fmt: skip
    return summary_message(test_id, stored, NOW)


async def test_sse_frames_ping_when_silent_and_end_with_the_tests_summary() -> None:
    from mv_gateway.live.routes import _sse_frames

    hub = LiveHub()
    frames = _sse_frames(_following(hub, "a"), None)
    assert await anext(frames) == b": ping\n\n"
    hub.publish(k6("a", 3))
    frame = await anext(frames)
    assert frame.startswith(b'id: 1\ndata: {"seq":1,"kind":"k6"')  # unnamed: onmessage gets it
    assert frame.endswith(b"\n\n")
    hub.publish(end_message("a", datetime.now(UTC), RunStatus.SUCCEEDED, None))
    assert (await anext(frames)).startswith(b'id: 2\ndata: {"seq":2,"kind":"end"')
    # after the end the stream waits for the summary, pinging; pods of the test are not sent
    assert await anext(frames) == b": ping\n\n"
    hub.publish(pods("a"))
    hub.publish(_summary("a", complete=False))
    assert hub.publish(_summary("a", complete=False)) is None  # each stored summary once
    frame = await anext(frames)
    assert frame.startswith(b'id: 4\ndata: {"seq":4,"kind":"summary"')
    summary = LiveMessage.model_validate_json(frame.split(b"data: ", 1)[1]).summary
    assert summary is not None
    assert (summary.stored, summary.complete) == (True, False)
    assert summary.incomplete_reason == "InfluxDB has 5 of 9"
    assert summary.details_url == "/test-history/7/details"
    assert hub.clients == 1
    with pytest.raises(StopAsyncIteration):
        await anext(frames)
    assert hub.clients == 0  # the stream's end unsubscribes it


async def test_a_summary_that_does_not_come_in_time_is_said_so() -> None:
    hub = LiveHub()
    following = _following(hub, "a", summary_wait=0.2)
    messages = following.messages(hub.subscribe(following.wanted))
    hub.publish(end_message("a", datetime.now(UTC), RunStatus.FAILED, "k6 crashed"))
    assert (await anext(messages)).kind == "end"  # type: ignore[union-attr]
    started = asyncio.get_running_loop().time()
    rest = [m async for m in messages if m is not None]
    assert asyncio.get_running_loop().time() - started >= 0.15
    assert [m.kind for m in rest] == ["summary"]
    assert rest[0].summary is not None
    assert (rest[0].summary.stored, rest[0].summary.complete) == (False, None)
    # a stream of every test goes on after an end and a summary
    everything = _following(hub, None)
    client = hub.subscribe(everything.wanted)
    stream = everything.messages(client)
    hub.publish(_summary("b", complete=True))
    hub.publish(k6("c", 1))
    assert [(await anext(stream)).kind for _ in range(2)] == ["summary", "k6"]  # type: ignore[union-attr]
    assert await anext(stream) is None  # silent: a ping, and the stream stays


async def test_a_test_silent_for_too_long_is_no_longer_running() -> None:
    now = [1000.0]
    hub = LiveHub(stale_after=60, clock=lambda: now[0])
    hub.publish(k6("quiet", 1))
    now[0] += 30
    hub.publish(k6("busy", 1))
    assert hub.running_tests() == ["quiet", "busy"]
    now[0] += 45  # quiet: 75 s without a snapshot, busy: 45 s
    assert hub.running_tests() == ["busy"]
    late = hub.subscribe(ClientFilter())
    assert [m.test_id for m in await take(late, 1)] == ["busy"]
    assert len(late) == 0


async def test_the_run_so_far_is_kept_bounded_and_only_while_it_runs() -> None:
    now = [1000.0]
    hub = LiveHub(history_size=3, stale_after=60, clock=lambda: now[0])
    for requests in range(1, 6):
        hub.publish(k6("a", requests))
    hub.publish(k6("quiet", 1))
    kept = [m.k6.overall.requests_total for m in hub.history("a") if m.k6 is not None]
    assert kept == [3, 4, 5]  # the oldest go first
    # replay is for a new client of one test; one that resumes gets what it missed only
    resumed = hub.subscribe(ClientFilter(test_id="a"), last_event_id=4, replay=True)
    assert len(resumed) == 1
    now[0] += 61
    hub.publish(k6("a", 6))
    assert hub.history("quiet") == []  # silent too long: no longer running, not kept
    hub.publish(end_message("a", NOW, RunStatus.SUCCEEDED, None))
    assert hub.history("a") == []


async def test_closing_the_hub_ends_every_stream_after_what_it_queued() -> None:
    hub = LiveHub()
    waiting = hub.subscribe(ClientFilter())
    pending = asyncio.create_task(waiting.get())
    await asyncio.sleep(0)
    behind = hub.subscribe(ClientFilter(test_id="a"))
    hub.publish(k6("a", 10))
    hub.close()

    assert (await pending).test_id == "a"
    assert (await behind.get()).test_id == "a"  # queued before the close: still delivered
    with pytest.raises(HubClosed):
        await behind.get()
    late = hub.subscribe(ClientFilter(test_id="a"))  # a client that arrives while stopping
    assert (await late.get()).test_id == "a"
    with pytest.raises(HubClosed):
        await asyncio.wait_for(late.get(), 1)


async def test_an_interval_thins_each_tests_snapshots_by_their_own_time() -> None:
    """Snapshots every second (the fast mode); ``interval=5`` takes one each 5 s per test, and
    lets every other kind through."""
    from datetime import timedelta

    hub = LiveHub()
    every = hub.subscribe(ClientFilter())
    fifth = hub.subscribe(ClientFilter(interval=5))
    for second in range(11):
        for test_id in ("a", "b"):
            figures = LiveFigures(tps=1, requests_total=second, failed_total=0, error_rate=0)
            at = NOW + timedelta(seconds=second, milliseconds=37 * (second % 3))  # jitter
            hub.publish(
                k6_message(LiveSnapshot(test_id=test_id, at=at, window_seconds=1, overall=figures))
            )
    hub.publish(pods("a"))
    assert len(every) == 23
    got = await take(fifth, 7)
    assert [(m.test_id, m.k6.overall.requests_total) for m in got if m.k6] == [
        ("a", 0), ("b", 0), ("a", 5), ("b", 5), ("a", 10), ("b", 10)
    ]  # fmt: skip
    assert got[-1].kind == "resources"
