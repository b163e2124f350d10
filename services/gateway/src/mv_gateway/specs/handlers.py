"""The spec-analyzer's outcomes, stored: SPEC_ANALYSED and SPEC_ANALYSIS_FAILED.

A stored outcome also resolves the in-process waiter of ``POST /openapi/analyze?wait=true``
(when that request is served by this process; other replicas poll the analysis row).
"""

from __future__ import annotations

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
from mv_gateway.core.once import SERVICE, apply_once
from mv_gateway.projects import ProjectRepository
from mv_runtime.bus import subscribe

from .analysis import Waiters
from .repository import SpecRepository

log = structlog.get_logger()


async def store_analysed(
    session: AsyncSession, event: SpecAnalysedEvent, spec: AnalysedSpec
) -> None:
    result = event.payload
    if not await ProjectRepository(session).exists(result.project_id):
        log.warning("analysed spec for an unknown project", project_id=result.project_id)
        return
    repository = SpecRepository(session)
    stored, changes = await repository.store(result.project_id, result.spec_id, spec)
    await repository.record_success(
        result.analysis_id, result.project_id, stored.id, changes, result.warnings
    )


async def store_failed(session: AsyncSession, event: SpecAnalysisFailed) -> None:
    failure = event.payload
    if not await ProjectRepository(session).exists(failure.project_id):
        log.warning("failed analysis for an unknown project", project_id=failure.project_id)
        return
    await SpecRepository(session).record_failure(
        failure.analysis_id, failure.project_id, failure.kind.value, failure.reason
    )


async def load_spec(broker: NatsBroker, event: SpecAnalysedEvent) -> AnalysedSpec:
    """The analysed spec, inline or from the object store."""
    if event.payload.spec is not None:
        return event.payload.spec
    assert event.payload.spec_object is not None  # the contract guarantees one of the two
    store = await broker.object_storage(SPEC_OBJECT_BUCKET, ttl=SPEC_OBJECT_TTL_SECONDS)
    found = await store.get(event.payload.spec_object)
    return AnalysedSpec.model_validate_json(found.data or b"")


def register(
    broker: NatsBroker, sessions: async_sessionmaker[AsyncSession], waiters: Waiters
) -> None:
    @subscribe(broker, SERVICE, SPEC_ANALYSED)
    async def spec_analysed(message: SpecAnalysedEvent) -> None:
        spec = await load_spec(broker, message)
        await apply_once(sessions, message, lambda s: store_analysed(s, message, spec))
        waiters.done(message.payload.analysis_id)

    @subscribe(broker, SERVICE, SPEC_ANALYSIS_FAILED)
    async def spec_analysis_failed(message: SpecAnalysisFailed) -> None:
        await apply_once(sessions, message, lambda s: store_failed(s, message))
        waiters.done(message.payload.analysis_id)
