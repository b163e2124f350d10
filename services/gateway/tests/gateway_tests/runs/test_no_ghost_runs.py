"""No ghost runs: a test asked for while NATS is down is accepted, stored with its command, and
its command reaches JetStream once, when NATS is back; an Idempotency-Key makes a retry return
the same test. Real NATS (stopped and started again), real gateway server, real SQLite.

Before the outbox the answer was 503 "message bus unavailable" with no row, while NATS's client
had buffered the publish and sent it on reconnection: the test ran untracked, and a user who
retried got two runs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import nats
import pytest

from gateway_tests.conftest import BACKENDS, database_url
from gateway_tests.edges.test_commit_before_answer import _endpoint
from gateway_tests.served_gateway import serve_gateway, signed_in
from mv_contracts.subjects import RUN_TEST, STREAM_NAME
from mv_devstack.config import StackConfig
from mv_devstack.servers import NatsServer, PostgreSQL


async def _run_commands(nats_url: str) -> list[dict[str, object]]:
    """Every RUN_TEST envelope the stream holds."""
    connection = await nats.connect(nats_url)
    try:
        js = connection.jetstream()
        info = await js.stream_info(STREAM_NAME)
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            try:
                stored = await js.get_msg(STREAM_NAME, seq)
            except nats.js.errors.NotFoundError:
                continue
            if stored.subject == RUN_TEST.name:
                found.append(json.loads(stored.data or b"{}"))
        return found
    finally:
        await connection.close()


async def test_a_test_asked_for_while_nats_is_down_runs_once_when_it_is_back(
    services_config: StackConfig, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ghost.db'}"
    nats_server = NatsServer(services_config)
    async with serve_gateway(services_config, url, outbox_publish_timeout=0.5) as (base, app):
        endpoint_id = await _endpoint(url)
        body = {
            "title": "while NATS is down",
            "scenarios": [{"name": "a", "endpoint_id": endpoint_id, "vus": 1, "duration": "1s"}],
        }
        nats_server.process.stop()
        async with signed_in(base, timeout=20) as http:
            first = await http.post("/load-testing", json=body, headers={"Idempotency-Key": "k1"})
            assert first.status_code == 202, first.text
            again = await http.post("/load-testing", json=body, headers={"Idempotency-Key": "k1"})
            assert again.status_code == 202
            assert again.json() == first.json()  # the same test, not a second one
            other = await http.post(
                "/load-testing", json={**body, "title": "x"}, headers={"Idempotency-Key": "k1"}
            )
            assert other.status_code == 409  # the key names another request
            test_id = first.json()["test_id"]
            jobs = (await http.get("/scheduler/jobs")).json()
            assert [j["test_id"] for j in jobs] == [test_id]  # tracked from the start
            assert await app.state.outbox.pending() == 1

            await asyncio.sleep(2)  # the relay tries (and the client buffers) meanwhile
            nats_server.start()
            for _ in range(200):
                if await app.state.outbox.pending() == 0:
                    break
                await asyncio.sleep(0.1)
            assert await app.state.outbox.pending() == 0
            again = await http.post("/load-testing", json=body, headers={"Idempotency-Key": "k1"})
            assert again.json()["test_id"] == test_id
    await asyncio.sleep(1)  # anything NATS's client still held has been flushed by now
    commands = await _run_commands(services_config.nats_url)
    assert [c["correlation_id"] for c in commands] == [test_id]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_an_idempotency_key_gives_the_same_analysis(
    backend: str, stack: StackConfig, postgres: PostgreSQL, tmp_path: Path
) -> None:
    url = database_url(backend, "mv_idempotency_test", stack, postgres, tmp_path)
    async with (
        serve_gateway(stack, url) as (base, _app),
        signed_in(base, timeout=10) as http,
    ):
        project = (await http.post("/project", json={"title": "p"})).json()["id"]
        body = {"project_id": project, "openapi_url": "http://127.0.0.1:9/openapi.json"}
        key = {"Idempotency-Key": "analyse-once"}
        first = await http.post("/openapi/analyze", json=body, headers=key)
        again = await http.post("/openapi/analyze", json=body, headers=key)
        assert first.status_code == again.status_code == 202
        assert again.json()["analysis_id"] == first.json()["analysis_id"]
        other = await http.post(
            "/openapi/analyze", json={**body, "openapi_url": "http://127.0.0.1:9/x"}, headers=key
        )
        assert other.status_code == 409
        unkeyed = await http.post("/openapi/analyze", json=body)
        assert unkeyed.json()["analysis_id"] != first.json()["analysis_id"]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_concurrent_requests_with_one_key_make_one_test(
    backend: str, stack: StackConfig, postgres: PostgreSQL, tmp_path: Path
) -> None:
    url = database_url(backend, "mv_idempotency_race", stack, postgres, tmp_path)
    async with (
        serve_gateway(stack, url) as (base, _app),
        signed_in(base, timeout=30) as http,
    ):
        endpoint_id = await _endpoint(url)
        body = {
            "title": "once",
            "scenarios": [{"name": "a", "endpoint_id": endpoint_id, "vus": 1, "duration": "1s"}],
        }
        made = set()
        for round_ in range(5):
            key = {"Idempotency-Key": f"race-{round_}"}
            answers = await asyncio.gather(
                *(http.post("/load-testing", json=body, headers=key) for _ in range(10))
            )
            assert {a.status_code for a in answers} == {202}, [a.text for a in answers]
            made |= {a.json()["test_id"] for a in answers}
        assert len(made) == 5  # one test per key
        jobs = (await http.get("/scheduler/jobs")).json()
        assert len(jobs) == 5
