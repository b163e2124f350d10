"""Writing the test history: a new test with its scenarios and stages, what the bus reports
about it later (lifecycle, summary, pod resources), and its generated script.

The only code besides :mod:`.queries` that queries these tables; ``runs`` records and finds its
tests through :class:`TestRuns`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.pods import PodResourcesSnapshot

from .tables import (
    ACTIVE,
    PENDING,
    ScenarioHistory,
    StageHistory,
    TestHistory,
    TestResourceTimeseries,
    TestScript,
)


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
    __test__ = False  # not a pytest class

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        test_id: str,
        project_id: int,
        title: str,
        description: str | None,
        target_tps: float | None,
        scenarios: Sequence[NewScenario],
        started_by: str | None = None,
        metrics_mode: str | None = None,
        plan_id: int | None = None,
        own_script_id: int | None = None,
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
            started_by=started_by,
            metrics_mode=metrics_mode,
            plan_id=plan_id,
            own_script_id=own_script_id,
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

    async def get_to_change(self, test_id: str) -> TestHistory | None:
        """The test, its row locked until the transaction ends (SELECT ... FOR UPDATE). The bus
        handlers change a test from what they read, and a short run's events reach them at
        once: unlocked, PostgreSQL let the started event's transaction, which had read the
        test before the finished one was stored, write "running" over its end. SQLite takes
        its one write lock earlier, at the handler's first write."""
        found: TestHistory | None = await self.session.scalar(
            select(TestHistory).where(TestHistory.test_id == test_id).with_for_update()
        )
        return found

    async def active_count(self, started_by: str) -> int:
        """How many tests ``started_by`` has pending or running."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(TestHistory)
            .where(
                TestHistory.started_by == started_by,
                TestHistory.status.in_(ACTIVE),
                TestHistory.is_completed.is_(False),
            )
        )
        return int(count or 0)

    async def plan_running(self, plan_id: int) -> bool:
        """Whether a run of the plan is pending or running."""
        found = await self.session.scalar(
            select(TestHistory.id)
            .where(
                TestHistory.plan_id == plan_id,
                TestHistory.status.in_(ACTIVE),
                TestHistory.is_completed.is_(False),
            )
            .limit(1)
        )
        return found is not None

    async def active(self) -> Sequence[TestHistory]:
        result = await self.session.scalars(
            select(TestHistory)
            .where(TestHistory.status.in_(ACTIVE), TestHistory.is_completed.is_(False))
            .order_by(TestHistory.tested_at, TestHistory.id)
        )
        return result.all()

    async def scenarios_by_tag(self, test_history_id: int) -> dict[str | None, ScenarioHistory]:
        rows = await self.session.scalars(
            select(ScenarioHistory).where(ScenarioHistory.test_history_id == test_history_id)
        )
        return {row.scenario_tag: row for row in rows}

    async def script(self, test_history_id: int) -> str | None:
        stored = await self.session.get(TestScript, test_history_id)
        return stored.script if stored else None

    async def store_script(self, test_history_id: int, script: str) -> None:
        if await self.session.get(TestScript, test_history_id) is None:
            self.session.add(TestScript(test_history_id=test_history_id, script=script))
            await self.session.flush()

    async def add_pod_resources(self, snapshot: PodResourcesSnapshot) -> int:
        """One row per pod and running test of the snapshot; how many rows were written."""
        if not snapshot.test_ids or not snapshot.pods:
            return 0
        tests = await self.session.scalars(
            select(TestHistory.id).where(TestHistory.test_id.in_(snapshot.test_ids))
        )
        rows = [
            TestResourceTimeseries(
                test_history_id=test_history_id,
                timestamp=snapshot.at,
                namespace=pod.namespace,
                pod_name=pod.pod,
                cpu_usage_millicores=pod.cpu_usage_millicores,
                memory_usage_mb=pod.memory_usage_mb,
                cpu_request_millicores=pod.cpu_request_millicores,
                cpu_limit_millicores=pod.cpu_limit_millicores,
                memory_request_mb=pod.memory_request_mb,
                memory_limit_mb=pod.memory_limit_mb,
                cpu_percent=pod.cpu_percent,
                memory_percent=pod.memory_percent,
                restarts=pod.restarts,
            )
            for test_history_id in tests
            for pod in snapshot.pods
        ]
        self.session.add_all(rows)
        return len(rows)
