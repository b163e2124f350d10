"""Asking the spec-analyzer for an analysis and, if asked to, waiting for its outcome.

Plain functions over a session factory and the bus: the route parses the request, calls
:meth:`Analyses.request` and answers with the row it returns; the errors below say what went
wrong and :mod:`mv_gateway.core.errors` turns them into answers.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts import Envelope
from mv_contracts.spec import (
    INLINE_SPEC_BYTES,
    SPEC_DOCUMENT_BUCKET,
    SPEC_OBJECT_TTL_SECONDS,
    SpecAnalysisRequest,
    SpecAnalysisRequested,
    SpecSource,
)
from mv_contracts.subjects import ANALYSE_SPEC
from mv_gateway.auth import allowed_entries
from mv_gateway.core.errors import InvalidRequest, NotFoundError
from mv_gateway.core.idempotency import IdempotencyKeys
from mv_gateway.core.outbox import Outbox
from mv_gateway.core.settings import Settings
from mv_gateway.projects import ProjectRepository

from .repository import SpecRepository
from .tables import FAILED, PENDING, SpecAnalysis

log = structlog.get_logger()
POLL_SECONDS = 1.0


class AnalysisFailed(InvalidRequest):
    def __init__(self, analysis: SpecAnalysis) -> None:
        super().__init__(
            {
                "analysis_id": analysis.analysis_id,
                "kind": analysis.failure_kind,
                "reason": analysis.reason,
            }
        )


class Waiters:
    """Futures of analyses a request is waiting for, keyed by analysis id. One per app
    (``app.state.analysis_waiters``): the handler of the outcome resolves them."""

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


@dataclass(frozen=True, slots=True)
class Analyses:
    sessions: async_sessionmaker[AsyncSession]
    outbox: Outbox
    waiters: Waiters
    settings: Settings | None = None  # for ALLOWED_TARGETS, when no admin has set them

    async def request(
        self,
        project_id: int,
        spec_id: int | None,
        source: SpecSource,
        *,
        wait: bool = False,
        timeout: float = 60.0,  # noqa: ASYNC109 - how long to wait for the outcome, not a cancel
        idempotency_key: str | None = None,
        fingerprint: str = "",
    ) -> SpecAnalysis:
        """Record a pending analysis with its command (one transaction), send the command (now,
        or the outbox relays it once NATS is back); with ``wait``, wait for the outcome up to
        ``timeout`` seconds. The row as it then stands; :class:`AnalysisFailed` when the
        analysis failed. A repeated ``idempotency_key`` gives the first request's analysis."""
        analysis_id = await self._record(
            uuid.uuid4().hex, project_id, spec_id, source, idempotency_key, fingerprint
        )
        future = self.waiters.expect(analysis_id)
        try:
            if wait:
                await self._wait(analysis_id, future, timeout)
        finally:
            self.waiters.forget(analysis_id)
        analysis = await self._read(analysis_id)
        if analysis is None:  # its project was deleted meanwhile
            raise NotFoundError("analysis", analysis_id)
        if analysis.status == FAILED:
            raise AnalysisFailed(analysis)
        return analysis

    async def _record(
        self,
        analysis_id: str,
        project_id: int,
        spec_id: int | None,
        source: SpecSource,
        key: str | None,
        fingerprint: str,
    ) -> str:
        """The id of the analysis recorded (or of the one the key made before)."""
        async with self.sessions() as session:
            keys = IdempotencyKeys(session, "openapi-analyze")
            if key is not None and (made := await keys.made(key, fingerprint)) is not None:
                return made
            if not await ProjectRepository(session).exists(project_id):
                raise NotFoundError("project", project_id)
            repository = SpecRepository(session)
            known: dict[str, str] = {}
            if spec_id is not None:
                spec = await repository.get(spec_id)
                if spec is None or spec.project_id != project_id:
                    raise NotFoundError("spec", spec_id)
                known = await repository.known_endpoints(spec.id)
            if key is not None and (made := await keys.claim(key, fingerprint, analysis_id)):
                return made
            url = str(source.url) if source.url else None
            await repository.add_analysis(analysis_id, project_id, spec_id, url)
            command = SpecAnalysisRequested(
                correlation_id=analysis_id,
                payload=SpecAnalysisRequest(
                    analysis_id=analysis_id,
                    project_id=project_id,
                    spec_id=spec_id,
                    source=source,
                    known_endpoints=known,
                    allowed_targets=await allowed_entries(session, self.settings),
                ),
            )
            row = await Outbox.add(session, ANALYSE_SPEC, command)
            await session.commit()
            await self.outbox.send(session, row)
            await session.commit()
        return analysis_id

    async def _read(self, analysis_id: str) -> SpecAnalysis | None:
        async with self.sessions() as session:
            return await SpecRepository(session).analysis(analysis_id)

    async def _wait(self, analysis_id: str, future: asyncio.Future[None], seconds: float) -> None:
        """Until the outcome is stored (told by the handler, or seen by polling: another replica
        may have stored it) or ``seconds`` have passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (remaining := deadline - loop.time()) > 0:
            try:
                await asyncio.wait_for(asyncio.shield(future), min(remaining, POLL_SECONDS))
                return
            except TimeoutError:
                analysis = await self._read(analysis_id)
                if analysis is not None and analysis.status != PENDING:
                    return


def offloader(broker: NatsBroker) -> Callable[[Envelope], Awaitable[Envelope]]:
    """The outbox's preparation of ANALYSE_SPEC: a large upload goes into the object store and
    the command names it (NATS messages are small)."""

    async def offload(message: Envelope) -> Envelope:
        assert isinstance(message, SpecAnalysisRequested)
        document = message.payload.source.document
        if document is None or len(document) <= INLINE_SPEC_BYTES // 4:
            return message
        data = document.encode("utf-8")
        if len(data) <= INLINE_SPEC_BYTES:
            return message
        store = await broker.object_storage(SPEC_DOCUMENT_BUCKET, ttl=SPEC_OBJECT_TTL_SECONDS)
        name = message.payload.analysis_id
        await store.put(name, data)
        payload = message.payload.model_copy(update={"source": SpecSource(document_object=name)})
        return message.model_copy(update={"payload": payload})

    return offload
