"""The analyzer's bus edge: an analyse command in, an analysed or failed event out."""

from __future__ import annotations

import structlog
from faststream.nats import NatsBroker

from mv_contracts.spec import (
    INLINE_SPEC_BYTES,
    SPEC_OBJECT_BUCKET,
    FailureKind,
    SpecAnalysed,
    SpecAnalysedEvent,
    SpecAnalysisFailed,
    SpecAnalysisFailure,
    SpecAnalysisRequest,
    SpecAnalysisRequested,
)
from mv_contracts.subjects import ANALYSE_SPEC, SPEC_ANALYSED, SPEC_ANALYSIS_FAILED
from mv_runtime.bus import Bus, subscribe

from .analysing import Analyzer
from .changes import compare, fingerprinted
from .errors import AnalysisError

SERVICE = "spec-analyzer"
log = structlog.get_logger()


async def outcome(
    analyzer: Analyzer, request: SpecAnalysisRequest
) -> SpecAnalysedEvent | SpecAnalysisFailed:
    """The event answering ``request``; every failure becomes a failed event with a reason."""
    try:
        analysis = await analyzer.analyse(request.source)
    except AnalysisError as error:
        return _failed(request, error.kind, error.reason)
    except Exception as error:  # a bug must still answer the user, not loop on redelivery
        log.exception("analysis crashed", analysis_id=request.analysis_id)
        return _failed(request, FailureKind.INTERNAL, f"internal error: {type(error).__name__}")
    spec = fingerprinted(analysis.spec)
    return SpecAnalysedEvent(
        correlation_id=request.analysis_id,
        payload=SpecAnalysed(
            analysis_id=request.analysis_id,
            project_id=request.project_id,
            spec_id=request.spec_id,
            spec=spec,
            changes=compare(spec, request.known_endpoints),
            strategy=analysis.strategy,
        ),
    )


def _failed(request: SpecAnalysisRequest, kind: FailureKind, reason: str) -> SpecAnalysisFailed:
    log.info("analysis failed", analysis_id=request.analysis_id, kind=kind, reason=reason)
    return SpecAnalysisFailed(
        correlation_id=request.analysis_id,
        payload=SpecAnalysisFailure(
            analysis_id=request.analysis_id,
            project_id=request.project_id,
            kind=kind,
            reason=reason[:4000] or "failed",
        ),
    )


# Large results stay in the object store for a day: long enough for any redelivery.
OBJECT_TTL_SECONDS = 24 * 3600.0


async def offload(broker: NatsBroker, event: SpecAnalysedEvent) -> SpecAnalysedEvent:
    """The event with a large spec moved into the object store (NATS messages are small)."""
    spec = event.payload.spec
    if spec is None:
        return event
    data = spec.model_dump_json().encode()
    if len(data) <= INLINE_SPEC_BYTES:
        return event
    store = await broker.object_storage(SPEC_OBJECT_BUCKET, ttl=OBJECT_TTL_SECONDS)
    name = event.payload.analysis_id
    await store.put(name, data)
    log.info("large spec stored as an object", analysis_id=name, bytes=len(data))
    payload = event.payload.model_copy(update={"spec": None, "spec_object": name})
    return event.model_copy(update={"payload": payload})


def register(broker: NatsBroker, analyzer: Analyzer) -> None:
    bus = Bus(broker)

    @subscribe(
        broker,
        SERVICE,
        ANALYSE_SPEC,
        ack_wait=max(30.0, analyzer.settings.spec_analysis_timeout + 30),
    )
    async def analyse_spec(message: SpecAnalysisRequested) -> None:
        event = await outcome(analyzer, message.payload)
        if isinstance(event, SpecAnalysedEvent):
            await bus.publish(SPEC_ANALYSED, await offload(broker, event))
        else:
            await bus.publish(SPEC_ANALYSIS_FAILED, event)
