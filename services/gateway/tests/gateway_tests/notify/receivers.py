"""A whole gateway with notifications on (fast retries, a secrets key), loopback receivers that
record what they get, and runs published on the bus as the other services publish them."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from faststream.nats import NatsBroker
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from gateway_tests.analysis_facts import figures, run, scenario, series
from gateway_tests.conftest import bearer, until_serving
from gateway_tests.served import serve_in_thread
from mv_contracts.lifecycle import RunStatus, TestFinished, TestFinishedEvent
from mv_contracts.metrics import TestSummaryEvent
from mv_contracts.runs import ResponseTimeTarget
from mv_contracts.subjects import TEST_FINISHED, TEST_SUMMARY
from mv_devstack.config import StackConfig
from mv_devstack.workers import free_port
from mv_gateway.app import create_app
from mv_gateway.auth.tokens import TOKEN_PREFIX, new_secret
from mv_gateway.core.outbound import NotifySettings, SmtpSettings
from mv_gateway.core.settings import Settings
from mv_gateway.history import NewScenario, TestResults, TestRuns
from mv_gateway.server import GatewayServer
from mv_runtime.bus import Bus
from mv_runtime.sealing import Sealer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers 200 on /ok and /slack, 500 on /fail; keeps every request."""

    base: str = ""
    got: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.got if r.path == path]


def serve_receiver() -> Iterator[Receiver]:
    receiver = Receiver()

    async def record(request: Request) -> PlainTextResponse:
        body = await request.body()
        with receiver.lock:
            receiver.got.append(Received(request.url.path, dict(request.headers), body))
        if request.url.path == "/fail":
            return PlainTextResponse("the receiver is down", status_code=500)
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/{path}", record, methods=["POST"])])
    with serve_in_thread(app) as base:
        receiver.base = base
        yield receiver


@dataclass
class Gateway:
    base: str
    settings: Settings
    app: Any
    headers: dict[str, str]

    def client(self) -> httpx.AsyncClient:
        """Signed in as the admin. The gateway shares the test's event loop and the two cores
        with the other workers: one answer took over httpx's default 5 s in a loaded run."""
        return httpx.AsyncClient(base_url=self.base, headers=self.headers, timeout=30)


async def serve_gateway(
    stack: StackConfig, tmp_path: Path, smtp: SmtpSettings | None = None
) -> AsyncIterator[Gateway]:
    port = free_port(stack.host, 29000, 30000)
    token = new_secret(TOKEN_PREFIX)
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'notify.db'}",
        nats_url=stack.nats_url,
        influxdb_host=stack.host,
        influxdb_port=stack.influxdb_port,
        gateway_port=port,
        gateway_admin_token=SecretStr(token),
        secrets_key=SecretStr(Sealer.new_key()),
        public_url="https://vault.example.com",
        notify=NotifySettings(
            attempts=3, backoff_seconds=0.2, poll_seconds=0.2, smtp=smtp or SmtpSettings()
        ),
    )
    app = create_app(settings)
    server = GatewayServer(app, settings)
    serving = asyncio.create_task(server.serve())
    gateway = Gateway(f"http://{stack.host}:{port}", settings, app, bearer(token))
    await until_serving(server, gateway.base)
    yield gateway
    server.should_exit = True
    await asyncio.wait_for(serving, 30)


async def finish_run(
    gateway: Gateway, stack: StackConfig, project_id: int, p95: float, summaries: int = 1
) -> str:
    """A run of the plan "checkout" stored, then finished and summarised over the bus (again,
    as SUMMARISE_TEST makes it, with ``summaries`` > 1)."""
    test_id = str(uuid.uuid4())
    facts = run(
        [scenario("pay", response_time_target=ResponseTimeTarget(max_ms=100))],
        per_scenario=[figures(p95=p95)],
        overall=figures(requests=12000, p95=p95),
        scenario_series=[series([100.0] * 30, latency=[p95 + i % 3 for i in range(30)])],
        overall_series=series([100.0] * 30, latency=[p95 + i % 3 for i in range(30)]),
        test_id=test_id,
    )
    request = facts.request.model_copy(update={"project_id": project_id})
    async with gateway.app.state.session_factory() as session, session.begin():
        scenarios = [
            NewScenario(s.name, s.tag, None, s.request.executor.value, 0, 100.0, None, [])
            for s in facts.scenarios
        ]
        test = await TestRuns(session).add(test_id, project_id, "checkout", None, None, scenarios)
        await TestResults(session).keep_request(test, request)
    publisher = NatsBroker(stack.nats_url)
    async with publisher:
        await publisher.connect()
        bus = Bus(publisher)
        done = TestFinished(
            test_id=test_id, status=RunStatus.SUCCEEDED, finished_at=datetime.now(UTC)
        )
        await bus.publish(TEST_FINISHED, TestFinishedEvent(correlation_id=test_id, payload=done))
        for _ in range(summaries):
            event = TestSummaryEvent(correlation_id=test_id, payload=facts.summary)
            await bus.publish(TEST_SUMMARY, event)
    return test_id


async def until(check: Any, seconds: float = 30) -> Any:
    """The first truthy answer of ``check()`` within ``seconds``."""
    for _ in range(int(seconds * 10)):
        found = await check() if asyncio.iscoroutinefunction(check) else check()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")


async def fail_to_start(gateway: Gateway, stack: StackConfig, project_id: int) -> str:
    """A run that k6 never ran: stored, then finished failed over the bus."""
    test_id = str(uuid.uuid4())
    async with gateway.app.state.session_factory() as session, session.begin():
        await TestRuns(session).add(test_id, project_id, "checkout", None, None, [])
    publisher = NatsBroker(stack.nats_url)
    async with publisher:
        await publisher.connect()
        done = TestFinished(test_id=test_id, status=RunStatus.FAILED,
                            reason="k6 exited with code 107: script error",
                            finished_at=datetime.now(UTC))  # fmt: skip
        await Bus(publisher).publish(
            TEST_FINISHED, TestFinishedEvent(correlation_id=test_id, payload=done)
        )
    return test_id
