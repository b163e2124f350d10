"""The issue's "done when": POST /load-testing against the gateway runs k6 through a real
test-runner process, the samples land in InfluxDB under the test id, and the gateway records the
finished test. Real NATS, real InfluxDB, real k6, a real HTTP API on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import nats
import pytest
from faststream.nats import NatsBroker
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway_tests.conftest import committed_admin
from mv_contracts.subjects import (
    CANCEL_TEST,
    RUN_TEST,
    STREAM_NAME,
    TEST_FINISHED,
    TEST_STARTED,
    TEST_WARNING,
)
from mv_contracts.subjects import durable_name as durable
from mv_devstack.config import StackConfig
from mv_devstack.credentials import ensure_secrets_key
from mv_gateway.app import create_app
from mv_gateway.core.engine import make_session_factory
from mv_gateway.core.settings import Settings
from mv_gateway.history import lifecycle as runs
from mv_gateway.history.tables import TestHistory
from mv_gateway.projects.tables import Project
from mv_gateway.specs.tables import Endpoint, OpenApiSpec
from mv_runtime.bus import ACK_WAIT_SECONDS, MAX_DELIVER


async def _api(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """The API under test: answers every request with 200 and a small JSON body."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                 if line.lower().startswith(b"content-length:")),
                0,
            )  # fmt: skip
            await reader.readexactly(length)
            body = b'{"ok":true}'
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))  # fmt: skip
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def stored_endpoint(
    engine: AsyncEngine, project: str, base_url: str, method: str, path: str
) -> tuple[int, int]:
    """A project with a spec and one endpoint, committed; their ids."""
    async with make_session_factory(engine)() as session, session.begin():
        row = Project(title=project)
        session.add(row)
        await session.flush()
        spec = OpenApiSpec(project_id=row.id, title="api", version="1", base_url=base_url)
        session.add(spec)
        await session.flush()
        endpoint = Endpoint(openapi_spec_id=spec.id, method=method, path=path)
        session.add(endpoint)
        await session.flush()
        return row.id, endpoint.id


@pytest.fixture
async def test_runner(stack: StackConfig, tmp_path: Path, bus_stream: None) -> AsyncIterator[None]:
    """The test-runner service as a process, the way the stack runs it, on the bus's stream.

    Its consumers get a name of their own, created here to start at the stream's end: run
    commands other tests left in the stream are not this test's to run.
    """
    k6 = stack.k6_binary()
    if k6 is None:
        pytest.fail("k6 is not installed: run scripts/bootstrap.sh")
    service = f"test-runner-e2e-{uuid.uuid4().hex[:8]}"
    connection = await nats.connect(stack.nats_url)
    jetstream = connection.jetstream()
    for subject in (RUN_TEST, CANCEL_TEST):
        await jetstream.add_consumer(
            STREAM_NAME,
            ConsumerConfig(
                durable_name=durable(service, subject),
                filter_subject=subject.name,
                deliver_policy=DeliverPolicy.NEW,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=ACK_WAIT_SECONDS,
                max_deliver=MAX_DELIVER,
            ),
        )
    folder = tmp_path / "k6"
    env = {
        **os.environ,
        **stack.service_environment(),
        "SERVICE_NAME": service,
        "K6_BINARY": k6,
        "K6_SCRIPT_FILE_FOLDER": str(folder),
        "LOG_FORMAT": "console",
        "SECRETS_KEY": ensure_secrets_key(stack),  # the stack's, as mv_devstack gives it
    }
    log = (tmp_path / "test-runner.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mv_test_runner", env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
        log.close()
        # k6 outlives its runner by design (a restarted runner follows it): stop ours.
        for pid_file in folder.glob("runs/*/pid"):
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.killpg(int(pid_file.read_text()), signal.SIGKILL)
        for subject in (RUN_TEST, CANCEL_TEST):
            with contextlib.suppress(Exception):
                await jetstream.delete_consumer(STREAM_NAME, durable(service, subject))
        await connection.close()


async def test_post_load_testing_runs_k6_and_records_the_finished_test(
    engine: AsyncEngine,
    stack: StackConfig,
    test_runner: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The gateway's lifecycle consumers get a name of their own: a gateway of a running local
    # stack must not take this test's events.
    service = f"gateway-e2e-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(runs, "SERVICE", service)
    api = await asyncio.start_server(_api, "127.0.0.1", 0)
    port = api.sockets[0].getsockname()[1]
    sessions = make_session_factory(engine)
    project_id, endpoint_id = await stored_endpoint(
        engine, "e2e", f"http://127.0.0.1:{port}", "GET", "/items/{id}"
    )

    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        nats_url=stack.nats_url,
        migrate_on_start=False,
    )
    broker = NatsBroker(stack.nats_url)
    app = create_app(settings, broker=broker)
    await broker.start()
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://gateway",
            headers=await committed_admin(engine),
        ) as client:
            body = {
                "title": "끝에서 끝까지",
                "metrics_mode": "precise",  # its samples are counted in InfluxDB below
                "scenarios": [
                    {
                        "name": "items",
                        "endpoint_id": endpoint_id,
                        "executor": "constant-vus",
                        "vus": 2,
                        "duration": "2s",
                        "path_params": {"id": "1"},
                        "response_time_target": {"max_ms": 2000},
                    }
                ],
            }
            response = await client.post("/load-testing", json=body)
            assert response.status_code == 202, response.text
            test_id = response.json()["test_id"]

            test: TestHistory | None = None
            for _ in range(1200):
                async with sessions() as session:
                    test = await session.scalar(
                        select(TestHistory).where(TestHistory.test_id == test_id)
                    )
                if test is not None and test.is_completed:
                    break
                await asyncio.sleep(0.1)
            assert test is not None
            assert test.is_completed, test.status
            assert (test.status, test.executor) == ("succeeded", "local"), test.status_reason
            assert test.job_name
            assert test.completed_at is not None

            script = await client.get(f"/load-testing/{test_id}/script")
            assert script.status_code == 200
            assert f'"testid": "{test_id}"' in script.text
            jobs = (await client.get("/scheduler/jobs")).json()
            assert test_id not in [j["test_id"] for j in jobs]

        async with httpx.AsyncClient(base_url=stack.influxdb_url) as influx:
            query = f"SELECT count(\"value\") FROM http_reqs WHERE testid='{test_id}'"  # noqa: S608
            result = await influx.get("/query", params={"db": stack.influxdb_database, "q": query})
        series = result.json()["results"][0]["series"]
        assert series[0]["values"][0][1] > 0
    finally:
        await broker.stop()
        await app.state.engine.dispose()
        api.close()
        async with sessions() as session, session.begin():
            await session.execute(delete(Project).where(Project.id == project_id))
        connection = await nats.connect(stack.nats_url)
        for subject in (TEST_STARTED, TEST_WARNING, TEST_FINISHED):
            with contextlib.suppress(Exception):
                await connection.jetstream().delete_consumer(STREAM_NAME, durable(service, subject))
        await connection.close()


async def test_preview_answers_the_script_the_runner_would_run(
    engine: AsyncEngine, stack: StackConfig, test_runner: None
) -> None:
    """POST /load-testing/preview asks the real test-runner process over NATS request/reply."""
    _, endpoint_id = await stored_endpoint(
        engine, "preview", "http://127.0.0.1:9", "POST", "/orders"
    )
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        nats_url=stack.nats_url,
        migrate_on_start=False,
    )
    broker = NatsBroker(stack.nats_url)
    app = create_app(settings, broker=broker)
    await broker.start()
    scenario = {
        "name": "주문",
        "endpoint_id": endpoint_id,
        "vus": 2,
        "duration": "5s",
        "headers": {"Authorization": "Bearer s3cret"},
        "body": {"customer": "홍길동"},
    }
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://gateway",
            headers=await committed_admin(engine),
        ) as client:
            body = {"title": "미리 보기", "scenarios": [scenario]}
            for _ in range(300):  # the runner process subscribes a few seconds after its start
                response = await client.post("/load-testing/preview", json=body)
                if response.status_code != 503:
                    break
                await asyncio.sleep(0.1)
            jobs = (await client.get("/scheduler/jobs")).json()
    finally:
        await broker.stop()
        await app.state.engine.dispose()
    assert response.status_code == 200, response.text
    script = response.text
    assert response.headers["content-type"].startswith("text/javascript")
    assert "홍길동" in script
    assert "s01" in script
    assert "s3cret" not in script  # secrets travel as environment variables, never in a script
    assert '["Authorization", "MV_SECRET_1"]' in script  # read from the environment
    assert all(job["title"] != "미리 보기" for job in jobs)  # nothing was stored or run
