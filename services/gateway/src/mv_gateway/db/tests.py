"""Test history: a test with its scenarios and stages, its lifecycle, and its generated script.

``test_script`` (revision 0002) keeps the k6 script the test-runner generated, as it arrived in
the TEST_STARTED event, for ``GET /load-testing/{test_id}/script``; the gateway never generates
scripts itself (services do not import each other).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from .models import (
    Base,
    Endpoint,
    OpenApiSpec,
    ScenarioHistory,
    StageHistory,
    TestHistory,
    utcnow,
)

# Statuses of a test_history row: pending until k6 starts, running, then a RunStatus value.
PENDING = "pending"
RUNNING = "running"
ACTIVE = (PENDING, RUNNING)


class TestScript(Base):
    __tablename__ = "test_script"

    test_history_id: Mapped[int] = mapped_column(
        ForeignKey("test_history.id", ondelete="CASCADE"), primary_key=True
    )
    script: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True, slots=True)
class EndpointTarget:
    id: int
    method: str
    path: str
    project_id: int
    base_url: str | None
    removed: bool


@dataclass(frozen=True, slots=True)
class NewScenario:
    name: str
    scenario_tag: str
    endpoint_id: int | None
    executor: str
    think_time: float
    response_time_target: float | None
    error_rate_target: float | None
    stages: list[tuple[str, int]]


class TestRuns:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def endpoints(self, ids: Sequence[int]) -> dict[int, EndpointTarget]:
        rows = await self.session.execute(
            select(Endpoint, OpenApiSpec.project_id, OpenApiSpec.base_url)
            .join(OpenApiSpec, Endpoint.openapi_spec_id == OpenApiSpec.id)
            .where(Endpoint.id.in_(list(ids)))
        )
        return {
            e.id: EndpointTarget(e.id, e.method, e.path, project_id, base_url, e.removed)
            for e, project_id, base_url in rows.all()
        }

    async def add(
        self,
        test_id: str,
        project_id: int,
        title: str,
        description: str | None,
        target_tps: float | None,
        scenarios: Sequence[NewScenario],
    ) -> TestHistory:
        """The test, its scenarios and their stages, in the caller's transaction."""
        test = TestHistory(
            test_id=test_id,
            project_id=project_id,
            title=title,
            description=description,
            target_tps=target_tps,
            status=PENDING,
            is_completed=False,
        )
        self.session.add(test)
        await self.session.flush()
        for new in scenarios:
            scenario = ScenarioHistory(
                test_history_id=test.id,
                endpoint_id=new.endpoint_id,
                name=new.name,
                scenario_tag=new.scenario_tag,
                think_time=new.think_time,
                executor=new.executor,
                response_time_target=new.response_time_target,
                error_rate_target=new.error_rate_target,
            )
            self.session.add(scenario)
            await self.session.flush()
            self.session.add_all(
                StageHistory(scenario_id=scenario.id, duration=duration, target=target)
                for duration, target in new.stages
            )
        await self.session.flush()
        return test

    async def get(self, test_id: str) -> TestHistory | None:
        found: TestHistory | None = await self.session.scalar(
            select(TestHistory).where(TestHistory.test_id == test_id)
        )
        return found

    async def active(self) -> Sequence[TestHistory]:
        result = await self.session.scalars(
            select(TestHistory)
            .where(TestHistory.status.in_(ACTIVE), TestHistory.is_completed.is_(False))
            .order_by(TestHistory.tested_at, TestHistory.id)
        )
        return result.all()

    async def script(self, test_history_id: int) -> str | None:
        stored = await self.session.get(TestScript, test_history_id)
        return stored.script if stored else None

    async def store_script(self, test_history_id: int, script: str) -> None:
        if await self.session.get(TestScript, test_history_id) is None:
            self.session.add(TestScript(test_history_id=test_history_id, script=script))
            await self.session.flush()
