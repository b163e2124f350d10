"""A plan with secrets of every kind, run through a real test-runner process and a real k6
against a server on loopback: the secrets reach that server, and none is in the stored script,
the preview, ``GET /load-testing/{id}/script``, the HTML report, the runner's files and log, or
any row of the database read raw. Real NATS, real k6, the real database of both backends."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from faststream.nats import NatsBroker
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway_tests.analysis_facts import run, scenario
from gateway_tests.conftest import committed_admin
from gateway_tests.runs.test_load_testing_e2e import stored_endpoint, test_runner
from mv_devstack.config import StackConfig
from mv_devstack.credentials import ensure_secrets_key
from mv_gateway.app import create_app
from mv_gateway.core.database import Base
from mv_gateway.core.engine import make_session_factory
from mv_gateway.core.settings import Settings
from mv_gateway.history import lifecycle as runs
from mv_gateway.history.summaries import store_summary
from mv_gateway.history.tables import TestHistory

from .test_secret_fields_api import assert_none_of_the_secrets, secret_test

__all__ = ["test_runner"]  # fixture


class Recorder:
    """The API under test: answers 200 and keeps each request's target, headers and body."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                target = head[0].split(" ")[1]
                headers = {k.strip().lower(): v.strip() for k, _, v in
                           (line.partition(":") for line in head[1:] if line)}  # fmt: skip
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append((target, headers, body))
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def all_rows(engine: AsyncEngine) -> str:
    """Every row of every table, read past the ORM."""
    found: list[str] = []
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = (await connection.execute(text(f'SELECT * FROM "{table.name}"'))).all()  # noqa: S608
            found += [str(value) for row in rows for value in row]
    return "\n".join(found)


async def test_a_planned_run_sends_its_secrets_and_keeps_none(
    engine: AsyncEngine,
    stack: StackConfig,
    test_runner: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runs, "SERVICE", f"gateway-e2e-{uuid.uuid4().hex[:8]}")
    recorder = Recorder()
    api = await asyncio.start_server(recorder, "127.0.0.1", 0)
    port = api.sockets[0].getsockname()[1]
    project_id, endpoint_id = await stored_endpoint(
        engine, "secrets", f"http://127.0.0.1:{port}", "POST", "/login"
    )
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        nats_url=stack.nats_url,
        migrate_on_start=False,
        secrets_key=ensure_secrets_key(stack),  # the test-runner process has the same key
    )
    broker = NatsBroker(stack.nats_url)
    app = create_app(settings, broker=broker)
    await broker.start()
    test = secret_test(endpoint_id) | {"base_url": f"http://alice:al1ce-pw@127.0.0.1:{port}"}
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://gateway",
            headers=await committed_admin(engine),
        ) as client:
            body = {"project_id": project_id, "name": "secrets", "test": test}
            plan = (await client.post("/plans", json=body)).json()
            for _ in range(300):  # the runner process subscribes a few seconds after its start
                preview = await client.post("/load-testing/preview", json=test)
                if preview.status_code != 503:
                    break
                await asyncio.sleep(0.1)
            assert preview.status_code == 200, preview.text
            started = await client.post(f"/plans/{plan['id']}/run")
            assert started.status_code == 202, started.text
            test_id = started.json()["test_id"]
            history = await finished(engine, test_id)
            assert history.status == "succeeded", history.status_reason

            facts = run([scenario("login")], test_id=test_id)
            async with make_session_factory(engine)() as session, session.begin():
                assert await store_summary(session, facts.summary, datetime.now(UTC))
            script = await client.get(f"/load-testing/{test_id}/script")
            report = await client.get(f"/test-history/{history.id}/report.html")
            assert report.status_code == 200, report.text
    finally:
        await broker.stop()
        await app.state.engine.dispose()
        api.close()

    (target, headers, sent) = recorder.requests[0]
    assert headers["authorization"] == "Basic " + base64.b64encode(b"alice:al1ce-pw").decode()
    assert headers["x-signature"] == "SIG-S3CRET"
    assert headers["cookie"] == "sid=C00KIE"
    assert headers["x-api-key"] == "AP1KEY"
    assert headers["ocp-apim-subscription-key"] == "SUB-S3CRET"
    assert headers["x-trace"] == "T-S3CRET"
    assert parse_qs(urlsplit(target).query) == {"page": ["1"], "api_key": ["Q-S3CRET"]}
    user = {"name": "kim", "password": "P-S3CRET", "pin": "P1N-S3CRET"}
    assert json.loads(sent) == {"user": user}

    assert "MV_SECRET_" in script.text
    assert "MV_SECRET_" in preview.text
    runner_files = files(tmp_path)  # the script file, the run's state, k6's and the runner's log
    assert "MV_SECRET_" in runner_files
    for shown in (script.text, preview.text, report.text, runner_files, await all_rows(engine)):
        assert_none_of_the_secrets(shown)


def files(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


async def finished(engine: AsyncEngine, test_id: str) -> TestHistory:
    for _ in range(1200):
        async with make_session_factory(engine)() as session:
            test = await session.scalar(select(TestHistory).where(TestHistory.test_id == test_id))
        if test is not None and test.is_completed:
            return test
        await asyncio.sleep(0.1)
    raise AssertionError(f"test {test_id} did not finish")
