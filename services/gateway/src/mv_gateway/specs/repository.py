"""Specs, their tags and endpoints, and the analyses that produce them: the only code that
queries these tables. Other features use :meth:`SpecRepository.targets` and
:meth:`SpecRepository.refs`.

Storing an analysed spec is one transaction: a re-analysis updates the spec in place, adds new
endpoints, updates changed ones and marks vanished ones ``removed`` (kept for test history).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.spec import AnalysedSpec, AnalysisWarning, EndpointInfo, SpecChanges
from mv_gateway.core.credentials import redact, redact_optional
from mv_gateway.core.database import utcnow

from .tables import FAILED, SUCCEEDED, Endpoint, OpenApiSpec, SpecAnalysis, Tag, tag_endpoint


@dataclass(frozen=True, slots=True)
class EndpointTarget:
    """What a load test needs of an endpoint: the request line and where its spec lives."""

    id: int
    method: str
    path: str
    project_id: int
    base_url: str | None
    removed: bool


@dataclass(frozen=True, slots=True)
class EndpointRef:
    id: int
    method: str
    path: str


@dataclass
class SpecView:
    spec: OpenApiSpec
    tags: list[Tag]
    endpoints: list[tuple[Endpoint, list[str]]] = field(default_factory=list)


def _details(endpoint: EndpointInfo) -> dict[str, Any]:
    return {
        "parameters": [p.model_dump(mode="json") for p in endpoint.parameters],
        "request_body": endpoint.request_body.model_dump(mode="json")
        if endpoint.request_body
        else None,
        "security": endpoint.security,
        "security_schemes": {
            k: v.model_dump(mode="json") for k, v in endpoint.security_schemes.items()
        },
        "links": [link.model_dump(mode="json") for link in endpoint.links],
        "response_fields": endpoint.response_fields,
        "tags": endpoint.tags,
        "fingerprint": endpoint.fingerprint,
    }


class SpecRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- analyses -----------------------------------------------------------------------------
    async def add_analysis(
        self, analysis_id: str, project_id: int, spec_id: int | None, source_url: str | None
    ) -> SpecAnalysis:
        analysis = SpecAnalysis(
            analysis_id=analysis_id,
            project_id=project_id,
            spec_id=spec_id,
            source_url=redact_optional(source_url),
        )
        self.session.add(analysis)
        await self.session.flush()
        return analysis

    async def analysis(self, analysis_id: str) -> SpecAnalysis | None:
        return await self.session.get(SpecAnalysis, analysis_id, populate_existing=True)

    async def _analysis_row(self, analysis_id: str, project_id: int) -> SpecAnalysis:
        """The analysis row; created for analyses the gateway did not request itself."""
        analysis = await self.session.get(SpecAnalysis, analysis_id)
        if analysis is None:
            analysis = SpecAnalysis(analysis_id=analysis_id, project_id=project_id)
            self.session.add(analysis)
        return analysis

    async def record_success(
        self,
        analysis_id: str,
        project_id: int,
        spec_id: int,
        changes: SpecChanges,
        warnings: Sequence[AnalysisWarning] = (),
    ) -> None:
        """The analysis succeeded; its warnings are kept on it and on the spec it stored."""
        analysis = await self._analysis_row(analysis_id, project_id)
        analysis.status = SUCCEEDED
        analysis.spec_id = spec_id
        analysis.changes = changes.model_dump(mode="json")
        kept = [w.model_dump(mode="json") for w in warnings]
        analysis.warnings = kept
        spec = await self.get(spec_id)
        if spec is not None:
            spec.warnings = kept
        analysis.finished_at = utcnow()

    async def record_failure(
        self, analysis_id: str, project_id: int, kind: str, reason: str
    ) -> None:
        analysis = await self._analysis_row(analysis_id, project_id)
        analysis.status = FAILED
        analysis.failure_kind = kind
        analysis.reason = redact(reason)
        analysis.finished_at = utcnow()

    async def spec_analysed_from(self, project_id: int, url: str) -> OpenApiSpec | None:
        """The spec an earlier analysis of ``url`` stored: the spec whose document came from
        there, else the one the latest analysis given that URL produced (the analyser may have
        found the document at another URL than the base URL it was given)."""
        url = redact(url)
        spec = await self.find_for(project_id, url)
        if spec is not None:
            return spec
        spec_id = await self.session.scalar(
            select(SpecAnalysis.spec_id)
            .where(
                SpecAnalysis.project_id == project_id,
                SpecAnalysis.source_url == url,
                SpecAnalysis.spec_id.is_not(None),
            )
            .order_by(SpecAnalysis.requested_at.desc())
            .limit(1)
        )
        return await self.get(spec_id) if spec_id is not None else None

    # --- specs --------------------------------------------------------------------------------
    async def get(self, spec_id: int) -> OpenApiSpec | None:
        return await self.session.get(OpenApiSpec, spec_id)

    async def for_project(self, project_id: int) -> Sequence[OpenApiSpec]:
        result = await self.session.scalars(
            select(OpenApiSpec).where(OpenApiSpec.project_id == project_id).order_by(OpenApiSpec.id)
        )
        return result.all()

    async def delete(self, spec_id: int) -> bool:
        result = await self.session.execute(delete(OpenApiSpec).where(OpenApiSpec.id == spec_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def known_endpoints(self, spec_id: int) -> dict[str, str]:
        """'METHOD path' -> fingerprint of the spec's current (not removed) endpoints."""
        rows = await self.session.scalars(
            select(Endpoint).where(Endpoint.openapi_spec_id == spec_id, ~Endpoint.removed)
        )
        return {f"{e.method} {e.path}": str(e.details.get("fingerprint") or "") for e in rows}

    async def view(self, spec_id: int, include_removed: bool = True) -> SpecView | None:
        spec = await self.get(spec_id)
        if spec is None:
            return None
        tags = (
            await self.session.scalars(
                select(Tag).where(Tag.openapi_spec_id == spec_id).order_by(Tag.id)
            )
        ).all()
        endpoints = await self.endpoints(spec_id=spec_id, include_removed=include_removed)
        return SpecView(spec, list(tags), endpoints)

    async def targets(self, endpoint_ids: Iterable[int]) -> dict[int, EndpointTarget]:
        rows = await self.session.execute(
            select(Endpoint, OpenApiSpec.project_id, OpenApiSpec.base_url)
            .join(OpenApiSpec, Endpoint.openapi_spec_id == OpenApiSpec.id)
            .where(Endpoint.id.in_(set(endpoint_ids)))
        )
        return {
            e.id: EndpointTarget(e.id, e.method, e.path, project_id, base_url, e.removed)
            for e, project_id, base_url in rows.all()
        }

    async def refs(self, endpoint_ids: Iterable[int]) -> dict[int, EndpointRef]:
        ids = set(endpoint_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(Endpoint.id, Endpoint.method, Endpoint.path).where(Endpoint.id.in_(ids))
        )
        return {i: EndpointRef(i, method, path) for i, method, path in rows.all()}

    async def endpoints(
        self,
        *,
        spec_id: int | None = None,
        project_id: int | None = None,
        tag: str | None = None,
        method: str | None = None,
        text: str | None = None,
        include_removed: bool = False,
        offset: int = 0,
        limit: int = 10_000,
    ) -> list[tuple[Endpoint, list[str]]]:
        query = select(Endpoint).order_by(Endpoint.id)
        if spec_id is not None:
            query = query.where(Endpoint.openapi_spec_id == spec_id)
        if project_id is not None:
            query = query.join(OpenApiSpec, OpenApiSpec.id == Endpoint.openapi_spec_id).where(
                OpenApiSpec.project_id == project_id
            )
        if not include_removed:
            query = query.where(~Endpoint.removed)
        if method is not None:
            query = query.where(Endpoint.method == method.upper())
        if tag is not None:
            tagged = (
                select(tag_endpoint.c.endpoint_id)
                .join(Tag, Tag.id == tag_endpoint.c.tag_id)
                .where(Tag.name == tag)
            )
            query = query.where(Endpoint.id.in_(tagged))
        if text:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            query = query.where(
                or_(
                    *(
                        column.ilike(pattern, escape="\\")
                        for column in (
                            Endpoint.path,
                            Endpoint.summary,
                            Endpoint.description,
                            Endpoint.operation_id,
                        )
                    )
                )
            )
        rows = list((await self.session.scalars(query.offset(offset).limit(limit))).all())
        return [(e, list(e.details.get("tags") or [])) for e in rows]

    # --- storing an analysis ------------------------------------------------------------------
    async def find_for(self, project_id: int, source_url: str | None) -> OpenApiSpec | None:
        """The stored spec a re-analysis of ``source_url`` in the project updates."""
        if not source_url:
            return None
        stored_as = redact(source_url)
        return await self.session.scalar(
            select(OpenApiSpec)
            .where(OpenApiSpec.project_id == project_id, OpenApiSpec.source_url == stored_as)
            .order_by(OpenApiSpec.id)
            .limit(1)
        )

    async def store(
        self, project_id: int, spec_id: int | None, analysed: AnalysedSpec
    ) -> tuple[OpenApiSpec, SpecChanges]:
        spec = await self.get(spec_id) if spec_id is not None else None
        if spec is None or spec.project_id != project_id:
            spec = await self.find_for(project_id, analysed.source_url)
        if spec is None:
            spec = OpenApiSpec(project_id=project_id, title="", version="")
            self.session.add(spec)
        spec.title = analysed.title[:255]
        spec.version = analysed.version[:100]
        # URLs are kept redacted (the analyzer redacts them too; an older one may not have).
        spec.base_url = (analysed.base_url or None) and redact(analysed.base_url)[:2000]
        spec.description = analysed.description
        spec.openapi_version = analysed.openapi_version[:20]
        spec.source_url = (analysed.source_url or None) and redact(analysed.source_url)[:2000]
        spec.analysed_at = utcnow()
        await self.session.flush()
        tag_ids = await self._store_tags(spec.id, analysed)
        changes = await self._store_endpoints(spec.id, analysed.endpoints, tag_ids)
        return spec, changes

    async def _store_tags(self, spec_id: int, analysed: AnalysedSpec) -> dict[str, int]:
        existing = {
            t.name: t
            for t in (await self.session.scalars(select(Tag).where(Tag.openapi_spec_id == spec_id)))
        }
        for info in analysed.tags:
            tag = existing.get(info.name)
            if tag is None:
                tag = Tag(openapi_spec_id=spec_id, name=info.name)
                self.session.add(tag)
                existing[info.name] = tag
            tag.description = info.description
        await self.session.flush()
        return {name: tag.id for name, tag in existing.items()}

    async def _store_endpoints(
        self, spec_id: int, endpoints: list[EndpointInfo], tag_ids: dict[str, int]
    ) -> SpecChanges:
        stored = {
            f"{e.method} {e.path}": e
            for e in await self.session.scalars(
                select(Endpoint).where(Endpoint.openapi_spec_id == spec_id)
            )
        }
        added: list[str] = []
        changed: list[str] = []
        unchanged = 0
        rows: list[tuple[Endpoint, list[str]]] = []
        for info in endpoints:
            row = stored.pop(info.key, None)
            details = _details(info)
            if row is None:
                row = Endpoint(openapi_spec_id=spec_id, method=info.method, path=info.path[:2000])
                self.session.add(row)
                added.append(info.key)
            elif (
                row.removed
                or row.details.get("fingerprint") != info.fingerprint
                or (info.fingerprint is None and row.details != details)
            ):
                changed.append(info.key)
            else:
                unchanged += 1
            row.operation_id = info.operation_id[:255] if info.operation_id else None
            row.summary = info.summary
            row.description = info.description
            row.deprecated = info.deprecated
            row.removed = False
            row.details = details
            rows.append((row, info.tags))
        removed = []
        for key, row in stored.items():
            if not row.removed:
                row.removed = True
                removed.append(key)
        await self.session.flush()
        ids = [row.id for row, _ in rows]
        if ids:
            await self.session.execute(
                delete(tag_endpoint).where(tag_endpoint.c.endpoint_id.in_(ids))
            )
            links = [
                {"endpoint_id": row.id, "tag_id": tag_ids[name]}
                for row, names in rows
                for name in dict.fromkeys(names)
                if name in tag_ids
            ]
            if links:
                await self.session.execute(insert(tag_endpoint), links)
        return SpecChanges(added=added, changed=changed, removed=removed, unchanged=unchanged)
