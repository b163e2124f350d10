"""Asking for an analysis as a plain function: no HTTP. Real databases (both backends); the bus
is FastStream's in-memory TestNatsBroker, whose subscriber plays the spec-analyzer."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from faststream.nats import NatsBroker, TestNatsBroker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from mv_contracts.spec import SpecAnalysisRequested, SpecSource
from mv_contracts.subjects import ANALYSE_SPEC
from mv_contracts.targets import DEFAULT_ALLOWED
from mv_gateway.auth.aiming import ALLOWED_TARGETS
from mv_gateway.auth.store import EditableSettings
from mv_gateway.auth.tables import GatewaySetting
from mv_gateway.core.engine import make_session_factory
from mv_gateway.core.errors import NotFoundError
from mv_gateway.core.outbox import Outbox, OutboxMessage
from mv_gateway.core.settings import Settings
from mv_gateway.projects import ProjectRepository
from mv_gateway.specs.analysis import Analyses, AnalysisFailed, Waiters
from mv_gateway.specs.repository import SpecRepository
from mv_gateway.specs.tables import PENDING
from mv_runtime.bus import subscribe

SOURCE = SpecSource(url="http://shop:8080/openapi.json")


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_session_factory(engine)


@pytest.fixture
async def project_id(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[int]:
    async with sessions() as session, session.begin():
        project = await ProjectRepository(session).add(f"p-{uuid.uuid4().hex[:8]}", None, None)
    yield project.id
    async with sessions() as session, session.begin():
        await ProjectRepository(session).delete(project.id)


async def _status(sessions: async_sessionmaker[AsyncSession], analysis_id: str) -> str | None:
    async with sessions() as session:
        analysis = await SpecRepository(session).analysis(analysis_id)
        return analysis.status if analysis else None


async def test_records_a_pending_analysis_and_sends_the_command(
    sessions: async_sessionmaker[AsyncSession], project_id: int
) -> None:
    broker = NatsBroker()
    sent: list[SpecAnalysisRequested] = []

    @subscribe(broker, "spec-analyzer", ANALYSE_SPEC)
    async def analyser(command: SpecAnalysisRequested) -> None:
        sent.append(command)

    async with TestNatsBroker(broker) as bus:
        analysis = await Analyses(sessions, Outbox(sessions, bus), Waiters()).request(
            project_id, None, SOURCE
        )
    assert analysis.status == PENDING
    assert analysis.source_url == "http://shop:8080/openapi.json"
    [command] = sent
    assert command.payload.analysis_id == analysis.analysis_id == command.correlation_id
    assert command.payload.project_id == project_id
    assert command.payload.known_endpoints == {}


async def test_the_command_carries_the_allowed_targets_in_force(
    sessions: async_sessionmaker[AsyncSession], project_id: int
) -> None:
    """The analyzer fetches non-public addresses only where load may go: the admin's list (else
    the settings', else the default) travels with every analyse command."""
    broker = NatsBroker()
    sent: list[SpecAnalysisRequested] = []

    @subscribe(broker, "spec-analyzer", ANALYSE_SPEC)
    async def analyser(command: SpecAnalysisRequested) -> None:
        sent.append(command)

    configured = Settings(allowed_targets=["shop", "10.0.0.0/8"])
    async with TestNatsBroker(broker) as bus:
        outbox = Outbox(sessions, bus)
        await Analyses(sessions, outbox, Waiters()).request(project_id, None, SOURCE)
        await Analyses(sessions, outbox, Waiters(), configured).request(project_id, None, SOURCE)
        async with sessions() as session, session.begin():
            await EditableSettings(session).put(ALLOWED_TARGETS, ["*.example.com"], "admin")
        try:
            await Analyses(sessions, outbox, Waiters(), configured).request(
                project_id, None, SOURCE
            )
        finally:
            async with sessions() as session, session.begin():
                await session.delete(await session.get(GatewaySetting, ALLOWED_TARGETS))
    assert [c.payload.allowed_targets for c in sent] == [
        list(DEFAULT_ALLOWED),
        ["shop", "10.0.0.0/8"],
        ["*.example.com"],
    ]


async def test_unknown_project_or_spec_is_not_found(
    sessions: async_sessionmaker[AsyncSession], project_id: int
) -> None:
    async with TestNatsBroker(NatsBroker()) as bus:
        analyses = Analyses(sessions, Outbox(sessions, bus), Waiters())
        with pytest.raises(NotFoundError, match="project"):
            await analyses.request(2**40, None, SOURCE)
        with pytest.raises(NotFoundError, match="spec") as raised:
            await analyses.request(project_id, 2**40, SOURCE)
    assert raised.value.status_code == 404


async def test_an_unreachable_bus_leaves_the_command_in_the_outbox(
    sessions: async_sessionmaker[AsyncSession], project_id: int
) -> None:
    """Accepted, not refused: the analysis stays pending and its command waits to be relayed
    (before: 503 and a failed analysis, while NATS's client could still send it later)."""
    never_connected = NatsBroker("nats://127.0.0.1:1")
    outbox = Outbox(sessions, never_connected, publish_timeout=0.5)
    analysis = await Analyses(sessions, outbox, Waiters()).request(project_id, None, SOURCE)
    assert analysis.status == PENDING
    async with sessions() as session, session.begin():
        [waiting] = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.envelope.contains(analysis.analysis_id))
        )
        assert waiting.subject == ANALYSE_SPEC.name
        await session.delete(waiting)


async def test_waits_for_the_outcome_the_handler_reports(
    sessions: async_sessionmaker[AsyncSession], project_id: int
) -> None:
    broker = NatsBroker()
    waiters = Waiters()

    @subscribe(broker, "spec-analyzer", ANALYSE_SPEC)
    async def analyser(command: SpecAnalysisRequested) -> None:
        # What the SPEC_ANALYSIS_FAILED handler does: store the outcome, then wake the waiter.
        payload = command.payload
        async with sessions() as session, session.begin():
            await SpecRepository(session).record_failure(
                payload.analysis_id, payload.project_id, "not_openapi", "no paths"
            )
        waiters.done(payload.analysis_id)

    async with TestNatsBroker(broker) as bus:
        started = asyncio.get_running_loop().time()
        with pytest.raises(AnalysisFailed) as raised:
            await Analyses(sessions, Outbox(sessions, bus), waiters).request(
                project_id, None, SOURCE, wait=True, timeout=30
            )
    assert asyncio.get_running_loop().time() - started < 5  # woken, not timed out
    assert raised.value.detail["kind"] == "not_openapi"
    assert raised.value.detail["reason"] == "no paths"
    assert raised.value.status_code == 422


async def test_a_wait_that_times_out_answers_pending(
    sessions: async_sessionmaker[AsyncSession], project_id: int
) -> None:
    async with TestNatsBroker(NatsBroker()) as bus:
        analysis = await Analyses(sessions, Outbox(sessions, bus), Waiters()).request(
            project_id, None, SOURCE, wait=True, timeout=0.3
        )
    assert analysis.status == PENDING
    assert await _status(sessions, analysis.analysis_id) == PENDING


async def test_waiters_resolve_only_what_is_expected() -> None:
    waiters = Waiters()
    future = waiters.expect("a")
    waiters.done("b")  # nobody waits for it
    assert not future.done()
    waiters.done("a")
    await asyncio.wait_for(future, 1)
    waiters.forget("a")
    waiters.done("a")  # already gone: nothing happens
