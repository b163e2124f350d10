"""The servers discovered in the test namespace, as their project lists them: the only code
that queries ``discovered_server``.

A report of a server is recorded with the analysis it started. Reports of one server can come
twice (a redelivery) or out of order (a redelivery after a newer image's report): the row keeps
the newest report by its publication time, so an old one changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.pods import DiscoveredServer
from mv_gateway.core.credentials import redact

from .tables import DiscoveredServerRow, SpecAnalysis


class ServerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        project_id: int,
        server: DiscoveredServer,
        document_url: str,
        analysis_id: str,
        reported_at: datetime,
    ) -> DiscoveredServerRow:
        row = await self.session.scalar(
            select(DiscoveredServerRow).where(
                DiscoveredServerRow.project_id == project_id,
                DiscoveredServerRow.kind == server.kind,
                DiscoveredServerRow.name == server.name,
            )
        )
        if row is None:
            row = DiscoveredServerRow(
                project_id=project_id, kind=server.kind, name=server.name, reported_at=reported_at
            )
            self.session.add(row)
        elif row.reported_at > reported_at:
            return row  # an older report than the one recorded
        row.namespace = server.namespace
        row.base_url = redact(str(server.base_url))
        row.document_url = redact(document_url)
        row.image = server.image
        row.analysis_id = analysis_id
        row.reported_at = reported_at
        await self.session.flush()
        return row

    async def for_project(
        self, project_id: int
    ) -> Sequence[tuple[DiscoveredServerRow, SpecAnalysis | None]]:
        """The project's servers by name, each with its latest analysis (None once deleted)."""
        rows = await self.session.execute(
            select(DiscoveredServerRow, SpecAnalysis)
            .outerjoin(SpecAnalysis, DiscoveredServerRow.analysis_id == SpecAnalysis.analysis_id)
            .where(DiscoveredServerRow.project_id == project_id)
            .order_by(DiscoveredServerRow.name, DiscoveredServerRow.kind)
        )
        return [(server, analysis) for server, analysis in rows.all()]
