"""Asking the spec-analyzer for an analysis and, if asked to, waiting for its outcome.

Plain functions over a session factory and the bus: the route parses the request, calls
:meth:`Analyses.request` and answers with the row it returns; the errors below say what went
wrong and :mod:`mv_gateway.core.errors` turns them into answers.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import structlog
from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts.spec import (
    INLINE_SPEC_BYTES,
    SPEC_DOCUMENT_BUCKET,
    SPEC_OBJECT_TTL_SECONDS,
    SpecAnalysisRequest,
    SpecAnalysisRequested,
    SpecSource,
)
from mv_contracts.subjects import ANALYSE_SPEC
from mv_gateway.core.errors import InvalidRequest, NotFoundError, ServiceUnavailable
from mv_gateway.projects import ProjectRepository
from mv_runtime.bus import Bus

from .repository import SpecRepository
from .tables import FAILED, PENDING, SpecAnalysis

log = structlog.get_logger()
POLL_SECONDS = 1.0
BUS_DOWN = "the message bus is unreachable"


class AnalysisFailed(InvalidRequest):
    def __init__(self, analysis: SpecAnalysis) -> None:
        super().__init__(
            {
                "analysis_id": analysis.analysis_id,
                "kind": analysis.failure_kind,
                "reason": analysis.reason,
            }
        )


class BusUnreachable(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__(f"{BUS_DOWN}; try again")


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
    broker: NatsBroker
    waiters: Waiters

    async def request(
        self,
        project_id: int,
        spec_id: int | None,
        source: SpecSource,
        *,
        wait: bool = False,
        timeout: float = 60.0,  # noqa: ASYNC109 - how long to wait for the outcome, not a cancel
    ) -> SpecAnalysis:
        """Record a pending analysis and send the command; with ``wait``, wait for the outcome
        up to ``timeout`` seconds. The row as it then stands; :class:`AnalysisFailed` when the
        analysis failed, :class:`BusUnreachable` when the command could not be sent."""
        analysis_id = uuid.uuid4().hex
        command = await self._record(analysis_id, project_id, spec_id, source)
        future = self.waiters.expect(analysis_id)
        try:
            await self._send(command)
            if wait:
                await self._wait(analysis_id, future, timeout)
        finally:
            self.waiters.forget(analysis_id)
        analysis = await self._read(analysis_id)
        assert analysis is not None
        if analysis.status == FAILED:
            raise AnalysisFailed(analysis)
        return analysis

    async def _record(
        self, analysis_id: str, project_id: int, spec_id: int | None, source: SpecSource
    ) -> SpecAnalysisRequested:
        async with self.sessions() as session, session.begin():
            if not await ProjectRepository(session).exists(project_id):
                raise NotFoundError("project", project_id)
            repository = SpecRepository(session)
            known: dict[str, str] = {}
            if spec_id is not None:
                spec = await repository.get(spec_id)
                if spec is None or spec.project_id != project_id:
                    raise NotFoundError("spec", spec_id)
                known = await repository.known_endpoints(spec.id)
            url = str(source.url) if source.url else None
            await repository.add_analysis(analysis_id, project_id, spec_id, url)
        return SpecAnalysisRequested(
            correlation_id=analysis_id,
            payload=SpecAnalysisRequest(
                analysis_id=analysis_id,
                project_id=project_id,
                spec_id=spec_id,
                source=source,
                known_endpoints=known,
            ),
        )

    async def _send(self, command: SpecAnalysisRequested) -> None:
        try:
            document = command.payload.source.document
            if document is not None and len(document) > INLINE_SPEC_BYTES // 4:
                command = await self._offload(command, document)
            await Bus(self.broker).publish(ANALYSE_SPEC, command)
        except Exception as error:
            log.warning("analyse command not published", error=str(error))
            payload = command.payload
            async with self.sessions() as session, session.begin():
                await SpecRepository(session).record_failure(
                    payload.analysis_id, payload.project_id, "internal", BUS_DOWN
                )
            raise BusUnreachable from error

    async def _offload(
        self, command: SpecAnalysisRequested, document: str
    ) -> SpecAnalysisRequested:
        """A large upload goes into the object store; the command names it (NATS messages are
        small)."""
        data = document.encode("utf-8")
        if len(data) <= INLINE_SPEC_BYTES:
            return command
        store = await self.broker.object_storage(SPEC_DOCUMENT_BUCKET, ttl=SPEC_OBJECT_TTL_SECONDS)
        name = command.payload.analysis_id
        await store.put(name, data)
        payload = command.payload.model_copy(update={"source": SpecSource(document_object=name)})
        return command.model_copy(update={"payload": payload})

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
