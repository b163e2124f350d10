"""The spec-analyzer's outcomes, stored: SPEC_ANALYSED and SPEC_ANALYSIS_FAILED.

A stored outcome also resolves the in-process waiter of ``POST /openapi/analyze?wait=true``
(when that request is served by this process; other replicas poll the analysis row).
"""

from __future__ import annotations

import asyncio

import structlog
from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts.spec import (
    SPEC_OBJECT_BUCKET,
    SPEC_OBJECT_TTL_SECONDS,
    AnalysedSpec,
    SpecAnalysedEvent,
    SpecAnalysisFailed,
)
from mv_contracts.subjects import SPEC_ANALYSED, SPEC_ANALYSIS_FAILED
from mv_gateway.db.models import Project, utcnow
from mv_gateway.db.specs import FAILED, SUCCEEDED, SpecAnalysis, SpecRepository
from mv_runtime.bus import subscribe

from . import SERVICE
from .idempotent import apply_once

log = structlog.get_logger()


class Waiters:
    """Futures of analyses a request is waiting for, keyed by analysis id."""

    def __init__(self) -> None:
        self._futures: dict[str, asyncio.Future[None]] = {}

    def expect(self, analysis_id: str) -> asyncio.Future[None]:
        future = asyncio.get_running_loop().create_future()
        self._futures[analysis_id] = future
        return future

    def forget(self, analysis_id: str) -> None:
        self._futures.pop(analysis_id, None)

    def done(self, analysis_id: str) -> None:
        future = self._futures.pop(analysis_id, None)
        if future is not None and not future.done():
            future.get_loop().call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


WAITERS = Waiters()


async def _analysis(session: AsyncSession, analysis_id: str, project_id: int) -> SpecAnalysis:
    """The analysis row; created for analyses the gateway did not request itself."""
    analysis = await session.get(SpecAnalysis, analysis_id)
    if analysis is None:
        analysis = SpecAnalysis(analysis_id=analysis_id, project_id=project_id)
        session.add(analysis)
    return analysis


async def store_analysed(
    session: AsyncSession, event: SpecAnalysedEvent, spec: AnalysedSpec
) -> None:
    result = event.payload
    if await session.get(Project, result.project_id) is None:
        log.warning("analysed spec for an unknown project", project_id=result.project_id)
        return
    stored, changes = await SpecRepository(session).store(result.project_id, result.spec_id, spec)
    analysis = await _analysis(session, result.analysis_id, result.project_id)
    analysis.status = SUCCEEDED
    analysis.spec_id = stored.id
    analysis.changes = changes.model_dump(mode="json")
    analysis.finished_at = utcnow()


async def store_failed(session: AsyncSession, event: SpecAnalysisFailed) -> None:
    failure = event.payload
    if await session.get(Project, failure.project_id) is None:
        log.warning("failed analysis for an unknown project", project_id=failure.project_id)
        return
    analysis = await _analysis(session, failure.analysis_id, failure.project_id)
    analysis.status = FAILED
    analysis.failure_kind = failure.kind.value
    analysis.reason = failure.reason
    analysis.finished_at = utcnow()


async def load_spec(broker: NatsBroker, event: SpecAnalysedEvent) -> AnalysedSpec:
    """The analysed spec, inline or from the object store."""
    if event.payload.spec is not None:
        return event.payload.spec
    assert event.payload.spec_object is not None  # the contract guarantees one of the two
    store = await broker.object_storage(SPEC_OBJECT_BUCKET, ttl=SPEC_OBJECT_TTL_SECONDS)
    found = await store.get(event.payload.spec_object)
    return AnalysedSpec.model_validate_json(found.data or b"")


def register(broker: NatsBroker, sessions: async_sessionmaker[AsyncSession]) -> None:
    @subscribe(broker, SERVICE, SPEC_ANALYSED)
    async def spec_analysed(message: SpecAnalysedEvent) -> None:
        spec = await load_spec(broker, message)

        async def apply(session: AsyncSession) -> None:
            await store_analysed(session, message, spec)

        await apply_once(sessions, message, apply)
        WAITERS.done(message.payload.analysis_id)

    @subscribe(broker, SERVICE, SPEC_ANALYSIS_FAILED)
    async def spec_analysis_failed(message: SpecAnalysisFailed) -> None:
        async def apply(session: AsyncSession) -> None:
            await store_failed(session, message)

        await apply_once(sessions, message, apply)
        WAITERS.done(message.payload.analysis_id)
