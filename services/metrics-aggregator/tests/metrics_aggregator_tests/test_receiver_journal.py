"""The durable receiver on the real NATS (JetStream) and the real InfluxDB behind a link the tests
cut: pushes are acked on the stream only once InfluxDB took them, a restarted receiver takes a
test up where the stream left it, pushes wait in memory while NATS is away, and a push that
cannot be kept is refused before it counts.
The pushes are the captured k6 pushes of ``fixtures/``, each test under an id of its own."""

# The only values in the InfluxQL here are uuids this module made.
# ruff: noqa: S608

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
from aiohttp import ClientSession
from nats.js.errors import NotFoundError

from mv_contracts.subjects import POINTS_STREAM_NAME
from mv_devstack.config import StackConfig
from mv_devstack.scratch import own_nats
from mv_devstack.servers import NatsServer
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.receiver.compact import Compactor
from mv_metrics_aggregator.receiver.remote_write import encode
from mv_metrics_aggregator.receiver.server import COMPACTOR, DURABLE, WRITE_PATH
from mv_metrics_aggregator.receiver.settings import ReceiverSettings
from mv_metrics_aggregator.receiver.writer import DURABLE as CONSUMER

from .databases import fresh_database
from .faults import CuttableLink, eventually
from .loopback import serving
from .test_receiver_state import pushes

DATABASE = "mv_test_receiver_journal"


@pytest.fixture(scope="module")
def module_nats(stack: StackConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with own_nats(stack, tmp_path_factory.mktemp("nats")) as config:
        yield config.nats_url


@pytest.fixture
async def link(stack: StackConfig, module_nats: str) -> AsyncIterator[CuttableLink]:
    """InfluxDB through a cuttable link, and a points stream of no earlier test."""
    nc = await nats.connect(module_nats)
    with contextlib.suppress(NotFoundError):
        await nc.jetstream().delete_stream(POINTS_STREAM_NAME)
    await nc.close()
    async with fresh_database(stack, DATABASE):
        link = CuttableLink(stack.host, stack.influxdb_port)
        await link.start()
        yield link
        await link.stop()


def settings_for(link: CuttableLink, nats_url: str, **fields: Any) -> ReceiverSettings:
    defaults: dict[str, Any] = {
        "nats_url": nats_url,
        "influxdb_host": "127.0.0.1",
        "influxdb_port": link.port,
        "influxdb_database": DATABASE,
    }
    return ReceiverSettings(**(defaults | fields))


async def post(url: str, request: Any) -> int:
    async with ClientSession() as session:
        headers = {"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"}
        async with session.post(url + WRITE_PATH, data=encode(request), headers=headers) as r:
            return r.status


async def stats(url: str) -> dict[str, Any]:
    async with ClientSession() as session, session.get(url + "/stats") as r:
        body: dict[str, Any] = await r.json()
        return body


async def stored(stack: StackConfig, test_id: str) -> dict[str, int]:
    client = InfluxClient(stack.influxdb_url, DATABASE)
    try:
        (result,) = await client.query(
            "SELECT SUM(requests) AS requests, SUM(failed) AS failed FROM mv_requests"
            f" WHERE testid = '{test_id}' GROUP BY scenario"
        )
    finally:
        await client.aclose()
    return {
        f"{s.tags['scenario']}.{k}": int(v)
        for s in result
        for k, v in s.first().items()
        if k != "time"
    }


def expected(requests: list[Any]) -> dict[str, int]:
    """What one receiver that never stopped writes for these pushes."""
    totals: dict[str, int] = {}
    compactor = Compactor()
    for request in requests:
        for line in compactor.lines(request):
            if not line.startswith("mv_requests,"):
                continue
            scenario = line.split("scenario=", 1)[1].split(" ", 1)[0]
            fields = dict(f.split("=", 1) for f in line.split(" ")[1].split(","))
            for name in ("requests", "failed"):
                key = f"{scenario}.{name}"
                totals[key] = totals.get(key, 0) + int(fields[name].rstrip("i"))
    return totals


async def test_pushes_stay_unacked_on_the_stream_until_influxdb_took_them(
    stack: StackConfig, link: CuttableLink, module_nats: str
) -> None:
    test_id = str(uuid.uuid4())
    requests = pushes("trend", test_id)
    link.down = True
    async with serving(settings_for(link, module_nats)) as (app, url):
        durable = app[DURABLE]
        durable.writer.backoff, durable.writer.max_backoff = 0.05, 0.2
        await eventually(lambda: durable.journal.restored, 10)
        for request in requests:
            assert await post(url, request) == 204
        assert durable.journal.stats.published == len(requests)  # stored before the answer
        await eventually(lambda: durable.writer.stats.failed_writes >= 3, 10)
        nc = await nats.connect(module_nats)
        info = await nc.jetstream().consumer_info(POINTS_STREAM_NAME, CONSUMER)
        await nc.close()
        # The batch in hand is delivered and kept, the rest waits behind it, nothing is acked.
        assert info.num_ack_pending >= 1
        assert info.num_ack_pending + info.num_pending == len(requests)
        assert info.ack_floor is not None
        assert info.ack_floor.stream_seq == 0
        assert (await stats(url))["pending"] == len(requests)
        assert await stored(stack, test_id) == {}
        link.down = False  # InfluxDB is back
        await eventually(lambda: durable.writer.stats.written_pushes == len(requests), 15)
        assert (await stats(url))["pending"] == 0
    assert await stored(stack, test_id) == expected(requests)


async def test_a_restarted_receiver_takes_a_test_up_where_the_stream_left_it(
    stack: StackConfig, link: CuttableLink, module_nats: str
) -> None:
    test_id = str(uuid.uuid4())
    requests = pushes("native", test_id)
    settings = settings_for(link, module_nats)
    link.down = True  # the first receiver writes nothing: its pushes wait on the stream
    async with serving(settings) as (app, url):
        await eventually(lambda: app[DURABLE].journal.restored, 10)
        for request in requests[:2]:
            assert await post(url, request) == 204
    link.down = False
    async with serving(settings) as (app, url):
        durable = app[DURABLE]
        await eventually(lambda: durable.journal.restored, 10)
        assert durable.journal.stats.restored_tests >= 1
        assert test_id in app[COMPACTOR].tests
        for request in requests[2:]:
            assert await post(url, request) == 204
        await eventually(lambda: durable.writer.stats.written_pushes >= len(requests), 15)
        assert (await stats(url))["pending"] == 0
    assert await stored(stack, test_id) == expected(requests)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_without_jetstream_a_push_is_refused_before_it_counts(
    stack: StackConfig, link: CuttableLink, module_nats: str
) -> None:
    settings = settings_for(link, f"nats://127.0.0.1:{closed_port()}")
    async with serving(settings) as (app, url):
        request = pushes("trend", str(uuid.uuid4()))[0]
        async with ClientSession() as session:
            headers = {"Content-Encoding": "snappy"}
            async with session.post(url + WRITE_PATH, data=encode(request), headers=headers) as r:
                assert r.status == 503
                (problem,) = (await r.json())["detail"]
                assert problem["loc"] == ["receiver"]
                assert "state back from JetStream" in problem["msg"]
        assert app[COMPACTOR].stats.pushes == 0  # nothing compacted: k6's next push carries it
        assert app[DURABLE].journal.stats.refused_pushes == 1
        body = await stats(url)
        assert body["jetstream"]["connected"] is False


@pytest.fixture
def nats_to_stop(stack: StackConfig, tmp_path: Path) -> Iterator[StackConfig]:
    with own_nats(stack, tmp_path / "nats") as config:
        yield config


async def test_with_nats_away_pushes_are_held_then_stored_and_past_the_bound_refused(
    stack: StackConfig, link: CuttableLink, nats_to_stop: StackConfig
) -> None:
    test_id = str(uuid.uuid4())
    requests = pushes("trend", test_id)
    server = NatsServer(nats_to_stop)
    settings = settings_for(
        link, nats_to_stop.nats_url, receiver_held_bytes=1, receiver_publish_wait=0.2
    )
    async with serving(settings) as (app, url):
        durable = app[DURABLE]
        await eventually(lambda: durable.journal.restored, 10)
        assert await post(url, requests[0]) == 204
        assert durable.journal.stats.published == 1
        await asyncio.to_thread(server.process.stop)
        assert await post(url, requests[1]) == 204  # held in memory, in order
        assert durable.journal.stats.held == 1
        assert await post(url, requests[2]) == 503  # past the bound: not compacted
        assert app[COMPACTOR].stats.pushes == 2
        await asyncio.to_thread(server.start)
        await eventually(lambda: durable.journal.stats.held == 0, 20)
        assert await post(url, requests[2]) == 204  # k6's next push carries the refused one
        await eventually(lambda: durable.writer.stats.written_pushes == 3, 20)
        assert durable.journal.stats.refused_pushes == 1
    assert await stored(stack, test_id) == expected(requests)
