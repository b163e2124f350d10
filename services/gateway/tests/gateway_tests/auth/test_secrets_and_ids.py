"""Credentials in URLs are taken out before anything is stored and shown redacted; analysis
warnings are kept; ids are never reused, so a late result for a deleted project is dropped
rather than filed under the next one. Real SQLite and PostgreSQL; real NATS for commands."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.nats import NatsBroker, TestNatsBroker
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.conftest import BACKENDS, database_url
from gateway_tests.runs.test_load_testing_api import command_for, commands, endpoints, original_body
from mv_contracts.lifecycle import TestStarted, TestStartedEvent
from mv_contracts.spec import (
    AnalysedSpec,
    AnalysisWarning,
    EndpointInfo,
    SpecAnalysed,
    SpecAnalysedEvent,
    SpecAnalysisRequested,
    SpecSource,
)
from mv_contracts.subjects import ANALYSE_SPEC
from mv_devstack.config import StackConfig
from mv_devstack.servers import PostgreSQL
from mv_gateway.core.engine import make_engine, make_session_factory
from mv_gateway.core.migrate import upgrade
from mv_gateway.core.outbox import Outbox
from mv_gateway.history.lifecycle import store_started
from mv_gateway.history.tables import TestHistory
from mv_gateway.projects.tables import Project
from mv_gateway.specs.analysis import Analyses, Waiters
from mv_gateway.specs.handlers import store_analysed
from mv_gateway.specs.tables import OpenApiSpec
from mv_runtime.bus import subscribe

__all__ = ["commands", "endpoints"]  # fixtures


async def test_credentials_in_base_url_become_a_secret_header(
    client: httpx.AsyncClient,
    session: AsyncSession,
    endpoints: dict[str, int],
    commands: list[dict[str, Any]],
) -> None:
    body = original_body(endpoints["login"]) | {"base_url": "http://alice:s3cr%40t@127.0.0.1:8/v2"}
    response = await client.post("/load-testing", json=body)
    assert response.status_code == 202, response.text
    test_id = response.json()["test_id"]
    command = await command_for(commands, test_id, "test.run.requested")
    assert command["payload"]["base_url"] == "http://127.0.0.1:8/v2"
    # alice:s3cr@t, as the test-runner's secret headers travel (Secret / env, not the script)
    assert command["payload"]["headers"] == {"Authorization": "Basic YWxpY2U6czNjckB0"}
    assert "s3cr" not in json.dumps(command)

    both = body | {"headers": {"authorization": "Bearer x"}}
    refused = await client.post("/load-testing", json=both)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "base_url"]

    # A script stored with a URL holding credentials (before they were taken out) is shown
    # redacted.
    started = TestStarted(
        test_id=test_id,
        executor="local",
        job_name="k6-x",
        script_name="s.js",
        started_at=datetime.now(UTC),
        script='const BASE = "http://bob:hunter2@api.local/v1";\n',
    )
    await store_started(session, TestStartedEvent(correlation_id=test_id, payload=started))
    script = (await client.get(f"/load-testing/{test_id}/script")).text
    assert script == 'const BASE = "http://bob:***@api.local/v1";\n'


def _analysed(project_id: int, analysis_id: str, **fields: Any) -> SpecAnalysedEvent:
    spec = AnalysedSpec(
        title="shop",
        version="1",
        openapi_version="3.1.0",
        base_url="http://bob:pw@shop.local/api",
        source_url="http://bob:pw@shop.local/openapi.json",
        endpoints=[EndpointInfo(method="GET", path="/items")],
    )
    return SpecAnalysedEvent(
        correlation_id=analysis_id,
        payload=SpecAnalysed(analysis_id=analysis_id, project_id=project_id, spec=spec, **fields),
    )


async def test_a_spec_url_with_credentials_is_stored_redacted(engine: Any) -> None:
    sessions = make_session_factory(engine)
    async with sessions() as own, own.begin():
        project = Project(title=f"p-{uuid.uuid4().hex[:6]}")
        own.add(project)
    broker = NatsBroker()
    sent: list[SpecAnalysisRequested] = []

    @subscribe(broker, "spec-analyzer", ANALYSE_SPEC)
    async def analyser(command: SpecAnalysisRequested) -> None:
        sent.append(command)

    try:
        async with TestNatsBroker(broker) as bus:
            analysis = await Analyses(sessions, Outbox(sessions, bus), Waiters()).request(
                project.id, None, SpecSource(url="http://bob:pw@shop.local/openapi.json")
            )
        assert analysis.source_url == "http://bob:***@shop.local/openapi.json"
        # The analyzer needs them to fetch (it sends them as Basic auth and redacts its output).
        assert str(sent[0].payload.source.url) == "http://bob:pw@shop.local/openapi.json"
    finally:
        async with sessions() as own, own.begin():
            await own.delete(await own.get(Project, project.id))


async def test_the_warnings_of_an_analysis_are_kept(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    other = Project(title="warned")
    session.add(other)
    await session.flush()
    warning = AnalysisWarning(
        message="docs/getting-started.md answered 404", ref="docs/getting-started.md"
    )
    event = _analysed(other.id, "a-warned", warnings=[warning])
    await store_analysed(session, event, event.payload.spec)  # type: ignore[arg-type]
    shown = (await client.get("/openapi/analyses/a-warned")).json()
    assert shown["warnings"] == [
        {"message": "docs/getting-started.md answered 404", "ref": "docs/getting-started.md",
         "endpoint": None}
    ]  # fmt: skip
    spec = (await client.get("/openapi/" + str(shown["spec_id"]))).json()
    assert spec["warnings"] == shown["warnings"]
    assert spec["base_url"] == "http://bob:***@shop.local/api"
    assert spec["source_url"] == "http://bob:***@shop.local/openapi.json"


async def test_ids_are_never_reused_and_a_late_result_is_dropped(session: AsyncSession) -> None:
    first = Project(title="first")
    session.add(first)
    await session.flush()
    deleted_id = first.id
    await session.delete(first)
    await session.flush()
    second = Project(title="second")
    session.add(second)
    await session.flush()
    assert second.id > deleted_id  # SQLite handed out the same id before AUTOINCREMENT

    test = TestHistory(test_id=uuid.uuid4().hex, project_id=second.id, title="t")
    session.add(test)
    await session.flush()
    gone = test.id
    await session.delete(test)
    await session.flush()
    again = TestHistory(test_id=uuid.uuid4().hex, project_id=second.id, title="t")
    session.add(again)
    await session.flush()
    assert again.id > gone

    late = _analysed(deleted_id, "late-one")
    await store_analysed(session, late, late.payload.spec)  # type: ignore[arg-type]
    stored = await session.scalars(select(OpenApiSpec).where(OpenApiSpec.project_id == second.id))
    assert stored.all() == []


@pytest.mark.parametrize("backend", BACKENDS)
async def test_rebuilding_tables_for_autoincrement_keeps_every_row(
    backend: str, stack: StackConfig, postgres: PostgreSQL, tmp_path: Path
) -> None:
    """Revision 0005 copies SQLite's tables; the rows under them must survive (a DROP with
    foreign keys on would have cascaded to them)."""
    engine = make_engine(database_url(backend, "mv_rebuild_test", stack, postgres, tmp_path))
    try:
        await upgrade(engine, "0003_spec_analysis")
        async with engine.begin() as connection:
            for statement in (
                "INSERT INTO project (id, title, created_at) VALUES (7, 'p', '2026-01-01')",
                "INSERT INTO openapi_spec (id, project_id, title, version, analysed_at)"
                " VALUES (3, 7, 's', '1', '2026-01-01')",
                "INSERT INTO endpoint (id, openapi_spec_id, path, method, deprecated, removed,"
                " details) VALUES (5, 3, '/x', 'GET', false, false, '{}')",
                "INSERT INTO test_history (id, test_id, project_id, title, status, tested_at,"
                " is_completed) VALUES (9, 't9', 7, 't', 'pending', '2026-01-01', false)",
            ):
                await connection.execute(text(statement))
        await upgrade(engine)
        async with engine.connect() as connection:
            counts = [
                (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar()  # noqa: S608 - fixed names
                for table in ("project", "openapi_spec", "endpoint", "test_history")
            ]
        assert counts == [1, 1, 1, 1]
    finally:
        await engine.dispose()
