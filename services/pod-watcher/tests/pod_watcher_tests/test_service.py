"""The pod-watcher process end to end: real kube-apiserver, NATS, InfluxDB and an OpenAPI server.

A test starts (TEST_STARTED on the real NATS); the process then publishes snapshots carrying the
test's id with the pods' specs and usage (the metrics API registered as an APIService backed by a
stand-in metrics-server), writes them to InfluxDB, and reports the namespace's Service, whose
discovered URL serves the demo API's OpenAPI document.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import uvicorn

from mv_contracts.lifecycle import TestFinished, TestFinishedEvent, TestStarted, TestStartedEvent
from mv_contracts.pods import PodResourcesEvent, ServerDiscoveredEvent
from mv_contracts.subjects import (
    POD_RESOURCES,
    SERVER_DISCOVERED,
    STREAM_NAME,
    TEST_FINISHED,
    TEST_STARTED,
    durable_name,
)
from mv_demo_api.app import create_app as demo_app
from mv_devstack.config import StackConfig
from mv_gateway.live.messages import resources_message
from mv_pod_watcher.handlers import consumer
from mv_runtime.bus import Bus, make_broker

from .kubeobjects import container, eventually, pod
from .metrics_server import API_SERVICE, MetricsServer, register


@pytest.fixture
async def demo_api() -> AsyncIterator[int]:
    """The demo API (FastAPI) served by uvicorn on a free loopback port."""
    server = uvicorn.Server(uvicorn.Config(demo_app(), host="127.0.0.1", port=0, log_level="error"))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, "the demo API listens")
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    await task


@pytest.fixture
async def messages(stack: StackConfig) -> AsyncIterator[list[tuple[str, Any]]]:
    """Everything published on the pod-watcher's two subjects while the test runs."""
    received: list[tuple[str, Any]] = []
    client = await nats.connect(stack.nats_url)

    async def keep(message: Any) -> None:
        received.append((message.subject, json.loads(message.data)))

    for subject in (POD_RESOURCES, SERVER_DISCOVERED):
        await client.subscribe(subject.name, cb=keep)
    yield received
    await client.close()


async def start_process(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "mv_pod_watcher", env=env, stdout=out, stderr=subprocess.STDOUT
        )


async def influx_points(stack: StackConfig, namespace: str) -> list[dict[str, Any]]:
    # The namespace is the test's own "pw-<hex>" name.
    query = (
        'SELECT "cpu_usage_millicores", "memory_usage_mb", "cpu_percent", "memory_percent", '  # noqa: S608
        f'"test_ids" FROM "pod_resources" WHERE "namespace" = \'{namespace}\''
    )
    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{stack.influxdb_url}/query", params={"db": stack.influxdb_database, "q": query}
        )
    series = response.json()["results"][0].get("series") or []
    return [dict(zip(s["columns"], row, strict=True)) for s in series for row in s["values"]]


async def test_snapshots_with_the_running_test_and_a_discovered_service(
    stack: StackConfig,
    kubeconfig: str,
    admin: Any,
    namespace: str,
    metrics_server: MetricsServer,
    demo_api: int,
    messages: list[tuple[str, Any]],
    tmp_path: Path,
) -> None:
    limits = {"cpu": "500m", "memory": "256M"}
    admin.create_namespaced_pod(namespace, pod("web", [container("app", {"cpu": "250m"}, limits)]))
    admin.create_namespaced_service(
        namespace,
        {
            "metadata": {"name": "shop"},
            "spec": {
                "type": "ExternalName",
                "externalName": "localhost",
                "ports": [{"name": "http", "port": demo_api}],
            },
        },
    )
    metrics_server.usage[namespace] = {"web": {"app": {"cpu": "100m", "memory": "64M"}}}
    registration = register(admin, namespace, metrics_server.port)
    env = {
        **os.environ,
        **stack.service_environment(),
        "KUBECONFIG": kubeconfig,
        "KUBERNETES_TEST_NAMESPACE": namespace,
        "POD_METRICS_INTERVAL": "0.5",
        "LOG_FORMAT": "console",
    }
    process = await start_process(env, tmp_path / "pod-watcher.log")
    test_id = f"pw-{uuid.uuid4().hex[:12]}"
    broker = make_broker(stack.nats_url)
    try:
        async with broker:
            await broker.start()
            bus = Bus(broker)
            started = TestStarted(
                test_id=test_id,
                executor="local",
                job_name="j",
                script_name="s.js",
                started_at=datetime.now(UTC),
            )
            await bus.publish(
                TEST_STARTED, TestStartedEvent(correlation_id=test_id, payload=started)
            )

            def snapshots() -> list[PodResourcesEvent]:
                return [
                    PodResourcesEvent.model_validate(data)
                    for subject, data in messages
                    if subject == POD_RESOURCES.name and data["payload"]["namespace"] == namespace
                ]

            def measured() -> list[PodResourcesEvent]:
                return [
                    s
                    for s in snapshots()
                    if test_id in s.payload.test_ids and s.payload.metrics_available
                ]

            await eventually(lambda: bool(measured()), "a snapshot with usage and the test id", 60)
            web = measured()[-1].payload.pods[0]
            assert (web.pod, web.phase, web.containers) == ("web", "Pending", ["app"])
            assert (web.cpu_request_millicores, web.cpu_limit_millicores) == (250, 500)
            assert (web.memory_request_mb, web.memory_limit_mb) == (256, 256)  # request := limit
            assert (web.cpu_usage_millicores, web.memory_usage_mb) == (100, 64)
            assert (web.cpu_percent, web.memory_percent) == (20.0, 25.0)
            # What the gateway makes of that snapshot for its SSE/WebSocket clients.
            live = resources_message(measured()[-1].payload).model_dump(mode="json")
            assert test_id in live["test_ids"]  # with the starts other tests left in the stream
            (streamed,) = live["resources"]
            assert streamed["usage"] == {"cpu_percent": 20.0, "memory_percent": 25.0}
            assert streamed["actual_usage"] == {"cpu_millicores": 100.0, "memory_mb": 64.0}
            assert streamed["specs"]["cpu_limit_millicores"] == 500

            finished = TestFinished(
                test_id=test_id, status="succeeded", finished_at=datetime.now(UTC)
            )
            await bus.publish(
                TEST_FINISHED, TestFinishedEvent(correlation_id=test_id, payload=finished)
            )
            count = len(snapshots())
            await eventually(
                lambda: (
                    len(snapshots()) > count and test_id not in snapshots()[-1].payload.test_ids
                ),
                "snapshots without the finished test",
                30,
            )

        discovered = [
            ServerDiscoveredEvent.model_validate(data)
            for subject, data in messages
            if subject == SERVER_DISCOVERED.name and data["payload"]["namespace"] == namespace
        ]
        assert len(discovered) == 1  # many ticks, one report: the same image is not re-analysed
        server = discovered[0].payload
        assert (server.kind, server.name, str(server.base_url)) == (
            "service",
            "shop",
            f"http://localhost:{demo_api}/",
        )
        async with httpx.AsyncClient(base_url=str(server.base_url)) as client:
            document = (await client.get("/openapi.json")).json()
        assert document["openapi"].startswith("3.")

        points = await influx_points(stack, namespace)
        mine = [p for p in points if test_id in (p["test_ids"] or "")]
        assert mine
        assert mine[-1]["cpu_usage_millicores"] == 100
        assert mine[-1]["memory_percent"] == 25
    finally:
        process.terminate()
        code = await asyncio.wait_for(process.wait(), 30)
        registration.delete_api_service(API_SERVICE)
        connection = await nats.connect(stack.nats_url)
        js = connection.jetstream()
        for subject in (TEST_STARTED, TEST_FINISHED):  # a namespace used once: its consumers go
            await js.delete_consumer(STREAM_NAME, durable_name(consumer(namespace), subject))
        await connection.close()
    log = (tmp_path / "pod-watcher.log").read_text()
    assert code == 0, log
    assert log.count("not served") <= 1, log
