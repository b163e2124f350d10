"""Discovered servers (SERVER_DISCOVERED from the pod-watcher) analysed without any request.

On both databases: the namespace's project is found or created, a pending analysis is recorded
once however often the event comes, and the spec-analyzer's own analysis of the demo API (a real
server on loopback) is stored under that project. The bus edge runs on FastStream's in-memory
broker: a round trip through the shared NATS server needs fresh durable consumers (so that the
processes of a running local stack do not take the messages), and those replay the whole stream.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from faststream.nats import NatsBroker, TestNatsBroker
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from gateway_tests.served import serve_in_thread
from mv_contracts.pods import DiscoveredServer, ServerDiscoveredEvent
from mv_contracts.spec import SpecAnalysedEvent, SpecAnalysisRequest, SpecAnalysisRequested
from mv_contracts.subjects import ANALYSE_SPEC, SERVER_DISCOVERED
from mv_demo_api.app import create_app as demo_app
from mv_gateway.core.engine import make_session_factory
from mv_gateway.projects.tables import Project
from mv_gateway.specs import discovery
from mv_gateway.specs.discovery import analysis_id_for, analysis_request, document_url
from mv_gateway.specs.handlers import store_analysed
from mv_gateway.specs.tables import SUCCEEDED, DiscoveredServerRow, OpenApiSpec, SpecAnalysis
from mv_runtime.bus import Bus, subscribe
from mv_spec_analyzer.analysing import Analyzer
from mv_spec_analyzer.handlers import outcome
from mv_spec_analyzer.settings import Settings as AnalyzerSettings


def discovered(namespace: str, base_url: str, **fields: Any) -> ServerDiscoveredEvent:
    server = DiscoveredServer(
        namespace=namespace, name="shop", kind="service", base_url=base_url, **fields
    )
    return ServerDiscoveredEvent(correlation_id=f"{namespace}/shop", payload=server)


def test_document_url() -> None:
    plain = discovered("ns", "http://shop.ns.svc:8080").payload
    assert document_url(plain) == "http://shop.ns.svc:8080/"
    annotated = plain.model_copy(update={"openapi_path": "/docs/openapi.json"})
    assert document_url(annotated) == "http://shop.ns.svc:8080/docs/openapi.json"


async def test_the_namespace_project_found_or_created(session: AsyncSession) -> None:
    namespace = f"ns-{uuid.uuid4().hex[:8]}"
    first = discovered(namespace, "http://shop:8080", image="shop:1")
    request = await analysis_request(session, first)
    assert request is not None
    project = await session.get(Project, request.project_id)
    assert project is not None
    assert project.title == namespace
    assert str(request.source.url) == "http://shop:8080/"
    assert request.analysis_id == analysis_id_for(first)
    again = await analysis_request(session, first)  # a redelivery: the same pending analysis
    assert again == request
    count = (
        select(func.count()).select_from(SpecAnalysis).where(SpecAnalysis.project_id == project.id)
    )
    assert await session.scalar(count) == 1

    second = discovered(namespace, "http://admin:8080", image="admin:1")
    other = await analysis_request(session, second)
    assert other is not None
    assert other.project_id == project.id  # one project per namespace
    assert other.analysis_id != request.analysis_id

    analysis = await session.get(SpecAnalysis, request.analysis_id)
    assert analysis is not None
    analysis.status = SUCCEEDED
    await session.flush()
    assert await analysis_request(session, first) is None  # finished: never re-sent


async def test_a_configured_project_is_used(session: AsyncSession) -> None:
    namespace = f"ns-{uuid.uuid4().hex[:8]}"
    configured = Project(title=namespace, summary="made by hand")
    session.add(configured)
    await session.flush()
    request = await analysis_request(session, discovered(namespace, "http://shop:80"))
    assert request is not None
    assert request.project_id == configured.id


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    with serve_in_thread(demo_app()) as url:
        yield url


async def analysed(request: SpecAnalysisRequest | None) -> SpecAnalysedEvent:
    """What the spec-analyzer answers: its own function, fetching from the real server."""
    assert request is not None
    event = await outcome(Analyzer(AnalyzerSettings(spec_fetch_timeout=5)), request)
    assert isinstance(event, SpecAnalysedEvent), event
    return event


async def test_a_discovered_server_is_analysed_and_filed(
    session: AsyncSession, demo_url: str
) -> None:
    """Discovery -> analyse command -> the real analyser on the demo API -> stored in the
    namespace's project; a new image re-analyses onto the same spec."""
    namespace = f"ns-{uuid.uuid4().hex[:8]}"
    first = await analysis_request(session, discovered(namespace, demo_url, image="demo:1"))
    event = await analysed(first)
    assert event.payload.spec is not None
    await store_analysed(session, event, event.payload.spec)
    assert first is not None
    analysis = await session.get(SpecAnalysis, first.analysis_id)
    assert analysis is not None
    assert analysis.status == SUCCEEDED
    spec = await session.get(OpenApiSpec, analysis.spec_id)
    assert spec is not None
    assert spec.project_id == first.project_id
    assert spec.source_url == f"{demo_url}/openapi.json"  # found by probing the base URL
    added = list((analysis.changes or {}).get("added") or [])
    assert added

    second = await analysis_request(session, discovered(namespace, demo_url, image="demo:2"))
    assert second is not None
    assert second.project_id == first.project_id
    assert second.spec_id == spec.id  # found through the first analysis of the same base URL
    assert len(second.known_endpoints) == len(added)
    again = await analysed(second)
    assert again.payload.changes.unchanged == len(added)
    assert again.payload.changes.added == []


async def test_the_handler_publishes_the_analyse_command(engine: AsyncEngine) -> None:
    """The bus edge (in-memory broker; the store and analysis run for real above)."""
    sessions = make_session_factory(engine)
    broker = NatsBroker()
    discovery.register(broker, sessions)
    commands: list[SpecAnalysisRequested] = []

    @subscribe(broker, "spec-analyzer", ANALYSE_SPEC)
    async def keep(message: SpecAnalysisRequested) -> None:
        commands.append(message)

    namespace = f"ns-{uuid.uuid4().hex[:8]}"
    event = discovered(namespace, "http://shop.svc:8080", openapi_path="/v3/api-docs")
    async with TestNatsBroker(broker) as test_broker:
        await Bus(test_broker).publish(SERVER_DISCOVERED, event)
        await Bus(test_broker).publish(SERVER_DISCOVERED, event)  # a redelivery
    assert len(commands) == 2
    assert commands[0].id == commands[1].id  # JetStream drops the second as a duplicate
    request = commands[0].payload
    assert request.analysis_id == analysis_id_for(event)
    assert str(request.source.url) == "http://shop.svc:8080/v3/api-docs"
    async with sessions() as session:
        project = await session.get(Project, request.project_id)
        assert project is not None
        assert project.title == namespace
        await session.delete(project)
        await session.commit()


async def test_the_project_lists_its_discovered_servers(
    session: AsyncSession, client: httpx.AsyncClient, demo_url: str
) -> None:
    """GET /project/{id}/servers: each server once, with the analysis of its newest report --
    pending, then the real analyser's outcome with its spec; an older report arriving late
    changes nothing; URL credentials never stored; gone with the project."""
    namespace = f"ns-{uuid.uuid4().hex[:8]}"
    first = discovered(namespace, demo_url, image="demo:1")
    request = await analysis_request(session, first)
    assert request is not None
    path = f"/project/{request.project_id}/servers"
    [server] = (await client.get(path)).json()
    assert (server["namespace"], server["name"], server["kind"]) == (namespace, "shop", "service")
    assert (server["base_url"], server["image"]) == (f"{demo_url}/", "demo:1")
    assert server["analysis"]["analysis_id"] == request.analysis_id
    assert (server["analysis"]["status"], server["analysis"]["spec_id"]) == ("pending", None)

    event = await analysed(request)
    assert event.payload.spec is not None
    await store_analysed(session, event, event.payload.spec)
    [server] = (await client.get(path)).json()
    assert server["analysis"]["status"] == SUCCEEDED
    spec_ids = [
        s["id"] for s in (await client.get(f"/openapi?project_id={request.project_id}")).json()
    ]
    assert spec_ids == [server["analysis"]["spec_id"]]

    newer = discovered(namespace, demo_url, image="demo:2")
    older = discovered(namespace, demo_url, image="demo:0")
    older = older.model_copy(update={"time": first.time - timedelta(minutes=5)})
    await analysis_request(session, newer)
    await analysis_request(session, older)  # a redelivery of an old report, not yet analysed
    [server] = (await client.get(path)).json()
    assert server["image"] == "demo:2"
    assert server["analysis"]["analysis_id"] == analysis_id_for(newer)
    assert datetime.fromisoformat(server["reported_at"]) == newer.time

    secret = DiscoveredServer(
        namespace=namespace, name="admin", kind="pod", base_url="http://ops:s3cret@admin:8080",
        openapi_path="/openapi.json",
    )  # fmt: skip
    await analysis_request(session, ServerDiscoveredEvent(correlation_id="x", payload=secret))
    listed = (await client.get(path)).json()
    assert [s["name"] for s in listed] == ["admin", "shop"]  # by name
    assert "s3cret" not in json.dumps(listed)
    assert listed[0]["document_url"] == "http://ops:***@admin:8080/openapi.json"

    assert (await client.get("/project/987654321/servers")).status_code == 404
    assert (await client.delete(f"/project/{request.project_id}")).status_code == 204
    left = select(func.count()).select_from(DiscoveredServerRow)
    assert (
        await session.scalar(left.where(DiscoveredServerRow.project_id == request.project_id)) == 0
    )
