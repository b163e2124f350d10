"""Events of the bus as the services exchange them, read and written from a test: what the
fault tests observe instead of the gateway (whose storage is tested elsewhere)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import nats
import nats.js.errors
from nats.aio.client import Client
from nats.js.api import ConsumerConfig, DeliverPolicy

from mv_contracts import Envelope
from mv_contracts.runs import TestRunRequest
from mv_contracts.subjects import STREAM_NAME
from mv_devstack.config import StackConfig
from mv_devstack.processes import ManagedProcess
from mv_devstack.services import service_process, start_demo_api


async def stream_client(url: str) -> Client:
    """A client of the services' NATS, once the services have declared their stream."""
    client = await nats.connect(url)
    deadline = time.monotonic() + 60
    while True:
        try:
            await client.jetstream().stream_info(STREAM_NAME)
            return client
        except nats.js.errors.NotFoundError:
            if time.monotonic() > deadline:
                await client.close()
                raise
            await asyncio.sleep(0.5)


def run_request(config: StackConfig, seconds: int) -> TestRunRequest:
    """50 requests a second at the demo API for ``seconds``."""
    scenario = {
        "name": "헬스 체크",
        "endpoint": {"method": "GET", "path": "/health"},
        "executor": "constant-arrival-rate",
        "rate": 50,
        "duration": f"{seconds}s",
        "pre_allocated_vus": 5,
    }
    return TestRunRequest.model_validate(
        {
            "test_id": f"influx-fault-{uuid.uuid4()}",
            "title": "InfluxDB fault",
            "project_id": 1,
            "base_url": config.demo_url,
            "scenarios": [scenario],
            # Every sample through InfluxDB: these tests are about what its outages do to it.
            "metrics_mode": "precise",
        }
    )


async def publish(nc: Client, subject: str, message: Envelope) -> None:
    await nc.jetstream().publish(
        subject, message.model_dump_json().encode(), headers={"Nats-Msg-Id": str(message.id)}
    )


async def wait_for(
    nc: Client, subject: str, kind: type[Envelope], test_id: str, seconds: float
) -> Any:
    """The payload of the first ``kind`` event of ``test_id`` on ``subject`` in the stream."""
    config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
    sub = await nc.jetstream().pull_subscribe(subject, stream=STREAM_NAME, config=config)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            try:
                messages = await sub.fetch(50, timeout=1)
            except (nats.errors.TimeoutError, TimeoutError):
                continue
            for message in messages:
                await message.ack()
                data = json.loads(message.data)
                if data.get("correlation_id") == test_id:
                    return getattr(kind.model_validate(data), "payload")  # noqa: B009
    finally:
        await sub.unsubscribe()
    raise AssertionError(f"no {kind.__name__} for {test_id} within {seconds} s")


def measured(what: str, **figures: object) -> None:
    print(f"measured: {what}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


@contextmanager
def runner_and_aggregator(config: StackConfig) -> Iterator[list[ManagedProcess]]:
    """The test-runner and the metrics-aggregator as processes, and the demo API to load."""
    processes = [service_process(config, name) for name in ("test-runner", "metrics-aggregator")]
    processes.append(start_demo_api(config))
    for process in processes[:2]:
        process.start(config.host)
    try:
        yield processes
    finally:
        for process in reversed(processes):
            process.stop()
