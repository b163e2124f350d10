"""Servers the pod-watcher discovered, analysed without anyone asking.

The flow: the pod-watcher publishes SERVER_DISCOVERED (a Service or annotated pod of the test
namespace, once per new image); this handler files it under the namespace's project -- the
project titled like the namespace, created when there is none -- records the server (listed by
``GET /project/{id}/servers``, :mod:`.servers`) and a pending analysis, and
publishes ANALYSE_SPEC with the server's document URL (``base_url`` + the annotated path, else
the base URL, which the spec-analyzer probes with its base-URL strategy). The analyser's answer is
then stored by the ordinary SPEC_ANALYSED handler (``handlers.py``) like any other analysis, so a
re-analysis of the same URL updates the same spec and reports the endpoint changes.

The gateway issues the command (rather than the analyser subscribing to discoveries) because only
the gateway knows projects. Idempotency without ``apply_once``: the analysis id and the command's
envelope id derive from the event's id, so a redelivery finds the analysis row already there and
re-publishes a command JetStream drops as a duplicate; once the analysis has finished, nothing is
published again. (``apply_once`` would skip the publish on a redelivery after a failed publish.)
"""

from __future__ import annotations

from urllib.parse import urljoin

import structlog
from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts.envelope import derived_id
from mv_contracts.pods import DiscoveredServer, ServerDiscoveredEvent
from mv_contracts.spec import SpecAnalysisRequest, SpecAnalysisRequested, SpecSource
from mv_contracts.subjects import ANALYSE_SPEC, SERVER_DISCOVERED
from mv_gateway.auth import allowed_entries
from mv_gateway.core.once import SERVICE
from mv_gateway.core.settings import Settings
from mv_gateway.projects import ProjectRepository
from mv_runtime.bus import Bus, subscribe

from .repository import SpecRepository
from .servers import ServerRepository
from .tables import PENDING

log = structlog.get_logger()


def document_url(server: DiscoveredServer) -> str:
    base = str(server.base_url)
    return urljoin(base, server.openapi_path) if server.openapi_path else base


def analysis_id_for(event: ServerDiscoveredEvent) -> str:
    return derived_id("discovered-analysis", str(event.id)).hex


async def project_for(session: AsyncSession, namespace: str) -> int:
    """The id of the project titled like the namespace (the first one), or of a new one."""
    projects = ProjectRepository(session)
    project = await projects.first_titled(namespace)
    if project is None:
        project = await projects.add(
            namespace[:255], f"Servers discovered in Kubernetes namespace {namespace}", None
        )
        log.info("project created for a namespace", namespace=namespace, project_id=project.id)
    return project.id


async def analysis_request(
    session: AsyncSession, event: ServerDiscoveredEvent, settings: Settings | None = None
) -> SpecAnalysisRequest | None:
    """The analyse command for a discovered server, its analysis recorded as pending; None when
    this event's analysis already finished (a late redelivery)."""
    server = event.payload
    analysis_id = analysis_id_for(event)
    repository = SpecRepository(session)
    existing = await repository.analysis(analysis_id)
    if existing is not None and existing.status != PENDING:
        return None
    project_id = await project_for(session, server.namespace)
    url = document_url(server)
    spec = await repository.spec_analysed_from(project_id, url)
    known = await repository.known_endpoints(spec.id) if spec is not None else {}
    if existing is None:
        await repository.add_analysis(analysis_id, project_id, spec.id if spec else None, url)
    await ServerRepository(session).record(project_id, server, url, analysis_id, event.time)
    return SpecAnalysisRequest(
        analysis_id=analysis_id,
        project_id=project_id,
        spec_id=spec.id if spec is not None else None,
        source=SpecSource(url=url),
        known_endpoints=known,
        allowed_targets=await allowed_entries(session, settings),
    )


def register(
    broker: NatsBroker,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings | None = None,
) -> None:
    bus = Bus(broker)

    @subscribe(broker, SERVICE, SERVER_DISCOVERED)
    async def server_discovered(message: ServerDiscoveredEvent) -> None:
        async with sessions() as session, session.begin():
            request = await analysis_request(session, message, settings)
        if request is None:
            return
        command = SpecAnalysisRequested(
            id=derived_id("discovered-command", str(message.id)),
            correlation_id=request.analysis_id,
            payload=request,
        )
        await bus.publish(ANALYSE_SPEC, command)
        log.info(
            "discovered server sent for analysis",
            namespace=message.payload.namespace,
            name=message.payload.name,
            url=str(request.source.url),
            project_id=request.project_id,
        )
