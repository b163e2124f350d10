"""Tables of specs: a spec, its tags and endpoints, and the analyses that produce them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mv_gateway.core.database import AUTOINCREMENT, Base, BigId, utcnow

# Statuses of a spec_analysis row.
PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


class OpenApiSpec(Base):
    __tablename__ = "openapi_spec"
    __table_args__ = AUTOINCREMENT

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(100))
    base_url: Mapped[str | None] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(Text)
    openapi_version: Mapped[str | None] = mapped_column(String(20))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    analysed_at: Mapped[datetime] = mapped_column(default=utcnow)
    warnings: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON, doc="What the latest analysis left unresolved (the contract's AnalysisWarning)"
    )


tag_endpoint = Table(
    "tag_endpoint",
    Base.metadata,
    Column("endpoint_id", BigId, ForeignKey("endpoint.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", BigId, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(Base):
    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("openapi_spec_id", "name"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    openapi_spec_id: Mapped[int] = mapped_column(
        ForeignKey("openapi_spec.id", ondelete="CASCADE"), index=True
    )


class Endpoint(Base):
    __tablename__ = "endpoint"
    __table_args__ = (UniqueConstraint("openapi_spec_id", "method", "path"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(primary_key=True)
    openapi_spec_id: Mapped[int] = mapped_column(
        ForeignKey("openapi_spec.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(String(2000))
    method: Mapped[str] = mapped_column(String(10))
    operation_id: Mapped[str | None] = mapped_column(String(255))
    summary: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    deprecated: Mapped[bool] = mapped_column(default=False)
    removed: Mapped[bool] = mapped_column(default=False, doc="Gone from the latest analysis")
    details: Mapped[dict[str, Any]] = mapped_column(
        default=dict, doc="Parameters, request body, example and security as analysed"
    )


class SpecAnalysis(Base):
    """One request to analyse a document, and its outcome."""

    __tablename__ = "spec_analysis"

    analysis_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    spec_id: Mapped[int | None] = mapped_column(
        ForeignKey("openapi_spec.id", ondelete="SET NULL"), index=True
    )
    source_url: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    failure_kind: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any] | None]
    warnings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class DiscoveredServerRow(Base):
    """A server the pod-watcher found in the test namespace, filed under the namespace's
    project, with the analysis its latest report started. Kept when the server goes away (the
    pod-watcher reports arrivals, not departures): ``reported_at`` says how old it is."""

    __tablename__ = "discovered_server"
    __table_args__ = (UniqueConstraint("project_id", "kind", "name"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    namespace: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20), doc="service or pod")
    base_url: Mapped[str] = mapped_column(String(2000))
    document_url: Mapped[str] = mapped_column(String(2000), doc="What the analysis was given")
    image: Mapped[str | None] = mapped_column(String(1000))
    analysis_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("spec_analysis.analysis_id", ondelete="SET NULL"), index=True
    )
    discovered_at: Mapped[datetime] = mapped_column(default=utcnow)
    reported_at: Mapped[datetime] = mapped_column(doc="When the latest report was published")
