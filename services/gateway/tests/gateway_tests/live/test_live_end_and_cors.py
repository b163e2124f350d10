"""Clients of the public stream: an ``EventSource.onmessage`` client receives every message (events
are unnamed), a client of a test that has ended gets its ``end`` (and then its ``summary``)
from what the gateway stored (before: pings for ever when the live end was missed), and a
browser page on a listed origin passes the CORS preflight (before: 405). The real gateway
server, real SQLite and NATS."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
from pydantic import SecretStr

from gateway_tests.served_gateway import serve_gateway
from mv_devstack.config import StackConfig
from mv_gateway.auth.tokens import TOKEN_PREFIX, new_secret
from mv_gateway.history.tables import TestHistory
from mv_gateway.projects.tables import Project

from .test_live_streams import _sse_events


async def _test(app: object, status: str) -> tuple[str, int]:
    test_id = str(uuid4())
    sessions = app.state.session_factory  # type: ignore[attr-defined]
    async with sessions() as session, session.begin():
        project = Project(title="live")
        session.add(project)
        await session.flush()
        test = TestHistory(test_id=test_id, project_id=project.id, title="t", status=status)
        if status not in ("pending", "running"):
            test.completed_at, test.status_reason = datetime.now(UTC), "k6 exited with 99"
        session.add(test)
        await session.flush()
        return test_id, test.id


async def test_a_client_of_an_ended_test_gets_its_end(stack: StackConfig, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'end.db'}"
    token = new_secret(TOKEN_PREFIX)
    async with serve_gateway(
        stack,
        url,
        sse_ping_seconds=0.3,
        live_summary_wait_seconds=0.5,  # no summary comes here: it is said so after the end
        gateway_admin_token=SecretStr(token),
    ) as (base, app):
        test_id, _ = await _test(app, "failed")
        stream = f"{base}/sse/k6-data?test_id={test_id}"
        for headers in ({}, {"Last-Event-ID": "12345"}):
            events = await asyncio.wait_for(_sse_events(stream, token, headers=headers), 10)
            assert [e["data"]["kind"] for e in events] == ["end", "summary"]
            assert events[0]["data"]["end"] == {"status": "failed", "reason": "k6 exited with 99"}
            assert events[1]["data"]["summary"]["stored"] is False
        named = await asyncio.wait_for(_sse_events(stream + "&named=true", token), 10)
        assert [e["event"] for e in named] == ["end", "summary"]

        # A stream open while the test runs, whose live end never comes (NATS was away):
        running_id, row_id = await _test(app, "running")
        following = asyncio.create_task(
            _sse_events(f"{base}/sse/k6-data?test_id={running_id}", token)
        )
        await asyncio.sleep(1)
        assert not following.done()
        async with app.state.session_factory() as session, session.begin():
            test = await session.get(TestHistory, row_id)
            assert test is not None
            test.status, test.completed_at = "succeeded", datetime.now(UTC)
        events = await asyncio.wait_for(following, 10)
        assert [e["data"]["kind"] for e in events] == ["end", "summary"]
        assert events[0]["data"]["end"]["status"] == "succeeded"


async def test_cors_preflight_for_a_listed_origin_only(stack: StackConfig, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cors.db'}"
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}  # fmt: skip
    async with (
        serve_gateway(stack, url, cors_origins=["http://ui.example:3000"]) as (base, _app),
        httpx.AsyncClient(base_url=base) as http,
    ):
        listed = await http.options(
            "/project", headers={**preflight, "Origin": "http://ui.example:3000"}
        )
        assert listed.status_code == 200
        assert listed.headers["access-control-allow-origin"] == "http://ui.example:3000"
        assert listed.headers["access-control-allow-credentials"] == "true"
        other = await http.options("/project", headers={**preflight, "Origin": "http://evil.test"})
        assert "access-control-allow-origin" not in other.headers
        made = await http.post(
            "/project", json={"title": "p"}, headers={"Origin": "http://ui.example:3000"}
        )
        assert made.headers["access-control-allow-origin"] == "http://ui.example:3000"
    async with (
        serve_gateway(stack, url) as (base, _app),
        httpx.AsyncClient(base_url=base) as http,
    ):
        default = await http.options("/project", headers={**preflight, "Origin": "http://a.b"})
        assert "access-control-allow-origin" not in default.headers  # none by default
