"""Tables of the original schema, plus what the bus needs (processed message ids).

Foreign keys cascade in the database itself, so deleting a project removes everything under it
in one statement on both PostgreSQL and SQLite.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both backends (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# 64-bit ids on PostgreSQL (the API accepts ids up to 2**63-1); SQLite's INTEGER is 64-bit already
# and must stay INTEGER to remain the autoincrementing rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    # TestHistory and friends are tables, not pytest test classes.
    __test__: ClassVar[bool] = False
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        int: BigId,
        dict[str, Any]: JSON,
        datetime: UtcDateTime(),
    }


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    specs: Mapped[list[OpenApiSpec]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )


class OpenApiSpec(Base):
    __tablename__ = "openapi_spec"

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

    project: Mapped[Project] = relationship(back_populates="specs")


tag_endpoint = Table(
    "tag_endpoint",
    Base.metadata,
    Column("endpoint_id", BigId, ForeignKey("endpoint.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", BigId, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(Base):
    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("openapi_spec_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    openapi_spec_id: Mapped[int] = mapped_column(
        ForeignKey("openapi_spec.id", ondelete="CASCADE"), index=True
    )


class Endpoint(Base):
    __tablename__ = "endpoint"
    __table_args__ = (UniqueConstraint("openapi_spec_id", "method", "path"),)

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


class Figures:
    """The figures of a summary (mv_contracts.metrics.MetricFigures), for a test or a scenario."""

    total_requests: Mapped[int | None] = mapped_column(BigInteger)
    failed_requests: Mapped[int | None] = mapped_column(BigInteger)
    test_duration: Mapped[float | None]
    max_tps: Mapped[float | None]
    min_tps: Mapped[float | None]
    avg_tps: Mapped[float | None]
    max_response_time: Mapped[float | None]
    min_response_time: Mapped[float | None]
    avg_response_time: Mapped[float | None]
    p50_response_time: Mapped[float | None]
    p90_response_time: Mapped[float | None]
    p95_response_time: Mapped[float | None]
    p99_response_time: Mapped[float | None]
    max_error_rate: Mapped[float | None]
    min_error_rate: Mapped[float | None]
    avg_error_rate: Mapped[float | None]
    max_vus: Mapped[float | None]
    min_vus: Mapped[float | None]
    avg_vus: Mapped[float | None]


class TestHistory(Figures, Base):
    __tablename__ = "test_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    test_id: Mapped[str] = mapped_column(String(64), unique=True, doc="Correlation id on the bus")
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    target_tps: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    status_reason: Mapped[str | None] = mapped_column(Text)
    executor: Mapped[str | None] = mapped_column(String(20))
    tested_at: Mapped[datetime] = mapped_column(default=utcnow)
    job_name: Mapped[str | None] = mapped_column(String(255))
    k6_script_file_name: Mapped[str | None] = mapped_column(String(255))
    is_completed: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[datetime | None]


class ScenarioHistory(Figures, Base):
    __tablename__ = "scenario_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    test_history_id: Mapped[int] = mapped_column(
        ForeignKey("test_history.id", ondelete="CASCADE"), index=True
    )
    endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("endpoint.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    scenario_tag: Mapped[str | None] = mapped_column(String(255))
    think_time: Mapped[float | None]
    executor: Mapped[str] = mapped_column(String(40))
    response_time_target: Mapped[float | None]
    error_rate_target: Mapped[float | None]


class StageHistory(Base):
    __tablename__ = "stage_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_history.id", ondelete="CASCADE"), index=True
    )
    duration: Mapped[str] = mapped_column(String(50))
    target: Mapped[int]


class TestResourceTimeseries(Base):
    __tablename__ = "test_resource_timeseries"

    id: Mapped[int] = mapped_column(primary_key=True)
    test_history_id: Mapped[int] = mapped_column(
        ForeignKey("test_history.id", ondelete="CASCADE"), index=True
    )
    timestamp: Mapped[datetime]
    namespace: Mapped[str] = mapped_column(String(255))
    pod_name: Mapped[str] = mapped_column(String(255))
    cpu_usage_millicores: Mapped[float | None] = mapped_column(Float)
    memory_usage_mb: Mapped[float | None] = mapped_column(Float)
    cpu_request_millicores: Mapped[float | None] = mapped_column(Float)
    cpu_limit_millicores: Mapped[float | None] = mapped_column(Float)
    memory_request_mb: Mapped[float | None] = mapped_column(Float)
    memory_limit_mb: Mapped[float | None] = mapped_column(Float)
    cpu_percent: Mapped[float | None] = mapped_column(Float)
    memory_percent: Mapped[float | None] = mapped_column(Float)


class ProcessedMessage(Base):
    """Envelope ids already handled, so a redelivered message changes nothing twice."""

    __tablename__ = "processed_message"

    message_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_type: Mapped[str] = mapped_column(String(100))
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)
