"""The analyzer's bus edge: an analyse command in, an analysed or failed event out."""

from __future__ import annotations

import traceback

import structlog
from faststream.nats import NatsBroker

from mv_contracts.envelope import derived_id
from mv_contracts.spec import (
    INLINE_SPEC_BYTES,
    SPEC_DOCUMENT_BUCKET,
    SPEC_OBJECT_BUCKET,
    SPEC_OBJECT_TTL_SECONDS,
    FailureKind,
    SpecAnalysed,
    SpecAnalysedEvent,
    SpecAnalysisFailed,
    SpecAnalysisFailure,
    SpecAnalysisRequest,
    SpecAnalysisRequested,
    SpecSource,
)
from mv_contracts.subjects import ANALYSE_SPEC, SPEC_ANALYSED, SPEC_ANALYSIS_FAILED
from mv_runtime.bus import Bus, subscribe

from .analysing import Analyzer
from .changes import compare, fingerprinted
from .credentials import redact
from .errors import AnalysisError

SERVICE = "spec-analyzer"
log = structlog.get_logger()


async def uploaded(broker: NatsBroker, name: str, max_bytes: int) -> SpecSource:
    """A large upload, read back from the object store the gateway put it in."""
    store = await broker.object_storage(SPEC_DOCUMENT_BUCKET, ttl=SPEC_OBJECT_TTL_SECONDS)
    try:
        info = await store.get_info(name)
    except Exception as error:
        raise AnalysisError(
            FailureKind.NOT_FOUND, f"the uploaded document {name} is no longer stored"
        ) from error
    if (info.size or 0) > max_bytes:
        raise AnalysisError(
            FailureKind.TOO_LARGE,
            f"the document has {info.size} bytes, more than the limit of {max_bytes}",
        )
    found = await store.get(name)
    try:
        return SpecSource(document=(found.data or b"").decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise AnalysisError(
            FailureKind.MALFORMED, f"the upload is not UTF-8 text: {error}"
        ) from error


async def outcome(
    analyzer: Analyzer, request: SpecAnalysisRequest, broker: NatsBroker | None = None
) -> SpecAnalysedEvent | SpecAnalysisFailed:
    """The event answering ``request``; every failure becomes a failed event with a reason."""
    try:
        source = request.source
        if source.document_object is not None:
            if broker is None:
                raise AnalysisError(FailureKind.INTERNAL, "no object store to read the upload from")
            max_bytes = analyzer.settings.spec_max_bytes
            source = await uploaded(broker, source.document_object, max_bytes)
        analysis = await analyzer.analyse(source, request.allowed_targets)
    except AnalysisError as error:
        return _failed(request, error.kind, error.reason)
    except Exception as error:  # a bug must still answer the user, not loop on redelivery
        # The traceback is text: any URL in it (an httpx message, say) loses its password.
        log.error(
            "analysis crashed",
            analysis_id=request.analysis_id,
            traceback=redact(traceback.format_exc()),
        )
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
            warnings=analysis.warnings,
        ),
    )


def _failed(request: SpecAnalysisRequest, kind: FailureKind, reason: str) -> SpecAnalysisFailed:
    reason = redact(reason)  # reasons name URLs, and a URL may carry a password
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


async def offload(broker: NatsBroker, event: SpecAnalysedEvent) -> SpecAnalysedEvent:
    """The event with a large spec moved into the object store (NATS messages are small)."""
    spec = event.payload.spec
    if spec is None:
        return event
    data = spec.model_dump_json().encode()
    if len(data) <= INLINE_SPEC_BYTES:
        return event
    store = await broker.object_storage(SPEC_OBJECT_BUCKET, ttl=SPEC_OBJECT_TTL_SECONDS)
    name = event.payload.analysis_id
    await store.put(name, data)
    log.info("large spec stored as an object", analysis_id=name, bytes=len(data))
    payload = event.payload.model_copy(update={"spec": None, "spec_object": name})
    return event.model_copy(update={"payload": payload})


def answer_to(
    command: SpecAnalysisRequested, event: SpecAnalysedEvent | SpecAnalysisFailed
) -> SpecAnalysedEvent | SpecAnalysisFailed:
    """The event with an id derived from the command's: a redelivered command's answer is a
    duplicate JetStream drops and the gateway applies once."""
    return event.model_copy(update={"id": derived_id(event.type, str(command.id))})


def register(broker: NatsBroker, analyzer: Analyzer) -> None:
    bus = Bus(broker)

    @subscribe(
        broker,
        SERVICE,
        ANALYSE_SPEC,
        ack_wait=max(30.0, analyzer.settings.spec_analysis_timeout + 30),
    )
    async def analyse_spec(message: SpecAnalysisRequested) -> None:
        event = answer_to(message, await outcome(analyzer, message.payload, broker))
        if isinstance(event, SpecAnalysedEvent):
            await bus.publish(SPEC_ANALYSED, await offload(broker, event))
        else:
            await bus.publish(SPEC_ANALYSIS_FAILED, event)
