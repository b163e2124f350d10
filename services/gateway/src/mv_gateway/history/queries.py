"""Reading the test history: the main board, a project's page, one test in full, trends.

Every list has a total order (ties broken by id), so pages never overlap or skip a row. Titles
sort by code point on both backends (PostgreSQL's ``C`` collation equals SQLite's ``BINARY`` on
UTF-8), and a missing figure sorts last whatever the direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.projects import ProjectRepository
from mv_gateway.specs import EndpointRef, SpecRepository

from .figures import SortField
from .tables import ScenarioHistory, StageHistory, TestHistory, TestResourceTimeseries


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True, slots=True)
class Listed:
    test: TestHistory
    project_title: str


@dataclass(frozen=True, slots=True)
class Page:
    total: int
    items: list[Listed]


@dataclass(slots=True)
class ScenarioDetails:
    scenario: ScenarioHistory
    endpoint: EndpointRef | None
    stages: list[StageHistory] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PodSeries:
    namespace: str
    pod_name: str
    points: list[TestResourceTimeseries]


@dataclass(frozen=True, slots=True)
class TestDetails:
    test: TestHistory
    project_title: str
    scenarios: list[ScenarioDetails]
    resources: list[PodSeries]


@dataclass(frozen=True, slots=True)
class RunWithScenarios:
    test: TestHistory
    scenarios: list[ScenarioHistory]


class HistoryQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _sort_key(self, sort: SortField) -> Any:
        column: Any = getattr(TestHistory, sort.value)
        if sort is SortField.TITLE and self.session.get_bind().dialect.name == "postgresql":
            column = column.collate("C")
        return column

    async def _listed(self, tests: Sequence[TestHistory]) -> list[Listed]:
        titles = await ProjectRepository(self.session).titles(t.project_id for t in tests)
        return [Listed(test, titles[test.project_id]) for test in tests]

    async def latest(self, limit: int) -> list[Listed]:
        """The main board: the latest tests of every project, newest first."""
        tests = await self.session.scalars(
            select(TestHistory)
            .order_by(TestHistory.tested_at.desc(), TestHistory.id.desc())
            .limit(limit)
        )
        return await self._listed(tests.all())

    async def project_exists(self, project_id: int) -> bool:
        return await ProjectRepository(self.session).exists(project_id)

    async def project_page(
        self, project_id: int, offset: int, limit: int, sort: SortField, order: SortOrder
    ) -> Page:
        """One page of a project's tests and how many it has in all."""
        total = await self.session.scalar(
            select(func.count())
            .select_from(TestHistory)
            .where(TestHistory.project_id == project_id)
        )
        key = self._sort_key(sort)
        ordered = key.asc() if order is SortOrder.ASC else key.desc()
        tiebreak = TestHistory.id.asc() if order is SortOrder.ASC else TestHistory.id.desc()
        tests = await self.session.scalars(
            select(TestHistory)
            .where(TestHistory.project_id == project_id)
            .order_by(ordered.nulls_last(), tiebreak)
            .offset(offset)
            .limit(limit)
        )
        return Page(int(total or 0), await self._listed(tests.all()))

    async def details(self, test_history_id: int) -> TestDetails | None:
        """The test with its scenarios (endpoint, stages) and its pods' resource series."""
        test = await self.session.get(TestHistory, test_history_id)
        if test is None:
            return None
        [listed] = await self._listed([test])
        rows = (
            await self.session.scalars(
                select(ScenarioHistory)
                .where(ScenarioHistory.test_history_id == test.id)
                .order_by(ScenarioHistory.id)
            )
        ).all()
        refs = await SpecRepository(self.session).refs(
            s.endpoint_id for s in rows if s.endpoint_id is not None
        )
        scenarios = {
            s.id: ScenarioDetails(s, refs.get(s.endpoint_id) if s.endpoint_id else None)
            for s in rows
        }
        if scenarios:
            stages = await self.session.scalars(
                select(StageHistory)
                .where(StageHistory.scenario_id.in_(list(scenarios)))
                .order_by(StageHistory.id)
            )
            for stage in stages:
                scenarios[stage.scenario_id].stages.append(stage)
        return TestDetails(
            test, listed.project_title, list(scenarios.values()), await self._pods(test.id)
        )

    async def _pods(self, test_history_id: int) -> list[PodSeries]:
        points = await self.session.scalars(
            select(TestResourceTimeseries)
            .where(TestResourceTimeseries.test_history_id == test_history_id)
            .order_by(
                TestResourceTimeseries.namespace,
                TestResourceTimeseries.pod_name,
                TestResourceTimeseries.timestamp,
                TestResourceTimeseries.id,
            )
        )
        series: dict[tuple[str, str], list[TestResourceTimeseries]] = {}
        for point in points:
            series.setdefault((point.namespace, point.pod_name), []).append(point)
        return [PodSeries(ns, pod, pts) for (ns, pod), pts in series.items()]

    async def with_scenarios(self, test_history_id: int) -> RunWithScenarios | None:
        test = await self.session.get(TestHistory, test_history_id)
        if test is None:
            return None
        return RunWithScenarios(test, (await self._scenarios([test.id])).get(test.id, []))

    async def trend(
        self, project_id: int, since: datetime | None, limit: int
    ) -> list[RunWithScenarios]:
        """The project's latest ``limit`` completed runs (since ``since``), oldest first."""
        query = select(TestHistory).where(
            TestHistory.project_id == project_id, TestHistory.is_completed.is_(True)
        )
        if since is not None:
            query = query.where(TestHistory.tested_at >= since)
        latest = await self.session.scalars(
            query.order_by(TestHistory.tested_at.desc(), TestHistory.id.desc()).limit(limit)
        )
        tests = list(reversed(latest.all()))
        scenarios = await self._scenarios([t.id for t in tests])
        return [RunWithScenarios(t, scenarios.get(t.id, [])) for t in tests]

    async def _scenarios(self, test_ids: Sequence[int]) -> dict[int, list[ScenarioHistory]]:
        if not test_ids:
            return {}
        rows = await self.session.scalars(
            select(ScenarioHistory)
            .where(ScenarioHistory.test_history_id.in_(list(test_ids)))
            .order_by(ScenarioHistory.test_history_id, ScenarioHistory.id)
        )
        grouped: dict[int, list[ScenarioHistory]] = {}
        for row in rows:
            grouped.setdefault(row.test_history_id, []).append(row)
        return grouped
