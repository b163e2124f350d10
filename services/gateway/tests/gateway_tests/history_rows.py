"""Test-history rows written through the ORM in the test's session (the app's transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.history.tables import (
    ScenarioHistory,
    StageHistory,
    TestHistory,
    TestResourceTimeseries,
)
from mv_gateway.projects.tables import Project
from mv_gateway.specs.tables import Endpoint, OpenApiSpec

# Later than anything other tests store, so these rows head the main board.
FAR = datetime(2100, 1, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return FAR + timedelta(hours=hours)


@dataclass
class Scenario:
    name: str
    figures: dict[str, Any] = field(default_factory=dict)
    endpoint_id: int | None = None
    stages: Sequence[tuple[str, int]] = ()
    executor: str = "constant-vus"


async def add_project(session: AsyncSession, title: str = "결제 API") -> Project:
    project = Project(title=title)
    session.add(project)
    await session.flush()
    return project


async def add_endpoint(session: AsyncSession, project: Project, method: str, path: str) -> int:
    spec = OpenApiSpec(project_id=project.id, title="spec", version="1")
    session.add(spec)
    await session.flush()
    endpoint = Endpoint(openapi_spec_id=spec.id, method=method, path=path)
    session.add(endpoint)
    await session.flush()
    return endpoint.id


async def add_run(
    session: AsyncSession,
    project: Project,
    tested_at: datetime,
    title: str = "run",
    *,
    completed: bool = True,
    status: str | None = None,
    scenarios: Sequence[Scenario] = (),
    **figures: Any,
) -> TestHistory:
    test = TestHistory(
        test_id=str(uuid.uuid4()),
        project_id=project.id,
        title=title,
        tested_at=tested_at,
        status=status or ("succeeded" if completed else "running"),
        is_completed=completed,
        completed_at=tested_at + timedelta(minutes=1) if completed else None,
        **figures,
    )
    session.add(test)
    await session.flush()
    for i, s in enumerate(scenarios):
        row = ScenarioHistory(
            test_history_id=test.id,
            endpoint_id=s.endpoint_id,
            name=s.name,
            scenario_tag=f"s{i + 1:02d}",
            executor=s.executor,
            think_time=1.0,
            **s.figures,
        )
        session.add(row)
        await session.flush()
        session.add_all(StageHistory(scenario_id=row.id, duration=d, target=t) for d, t in s.stages)
    await session.flush()
    return test


async def add_usage(
    session: AsyncSession, test: TestHistory, pod: str, when: datetime, cpu: float
) -> None:
    session.add(
        TestResourceTimeseries(
            test_history_id=test.id,
            timestamp=when,
            namespace="test",
            pod_name=pod,
            cpu_usage_millicores=cpu,
            memory_usage_mb=128.0,
            cpu_request_millicores=100.0,
            cpu_limit_millicores=500.0,
            memory_request_mb=128.0,
            memory_limit_mb=256.0,
            cpu_percent=cpu / 5,
            memory_percent=50.0,
        )
    )
    await session.flush()
