"""A stored run for the results routes' tests: a summary stored as the bus handler stores it,
with a slow scenario whose p95 the test chooses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.analysis_facts import figures, run, scenario, series
from mv_contracts.metrics import FailureCount
from mv_contracts.runs import (
    ResponseTimeTarget,
    TestRunRequest,
)
from mv_gateway.analysis import RunFacts
from mv_gateway.history import NewScenario, TestResults, TestRuns
from mv_gateway.history.summaries import store_summary
from mv_gateway.history.tables import TestHistory
from mv_gateway.projects.tables import Project

DONE = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def planned(p95_slow: float, test_id: str, project_id: int) -> RunFacts:
    facts = run(
        [
            scenario("느린 결제", response_time_target=ResponseTimeTarget(max_ms=100)),
            scenario("browse", response_time_target=ResponseTimeTarget(max_ms=100)),
        ],
        per_scenario=[figures(p95=p95_slow, failed=120), figures(p95=20)],
        overall=figures(requests=12000, p95=p95_slow, failed=120),
        scenario_series=[
            series([100.0] * 30, latency=[p95_slow + i % 3 for i in range(30)]),
            series([100.0] * 30, latency=[20.0 + i % 3 for i in range(30)]),
        ],
        overall_series=series([200.0] * 30, vus=[10.0] * 30),
        failures=[[FailureCount(status="503", error_code="1503", count=120)], []],
        test_id=test_id,
    )
    request = facts.request.model_copy(
        update={"project_id": project_id, "headers": {"Authorization": "Bearer s3cret"}}
    )
    return RunFacts(
        request=TestRunRequest.model_validate(request.model_dump()), summary=facts.summary
    )


async def stored_run(session: AsyncSession, project: Project, p95_slow: float) -> TestHistory:
    test_id = str(uuid.uuid4())
    facts = planned(p95_slow, test_id, project.id)
    test = await TestRuns(session).add(
        test_id,
        project.id,
        "checkout",
        None,
        None,
        [
            NewScenario(s.name, s.tag, None, s.request.executor.value, 0, 100.0, None, [])
            for s in facts.scenarios
        ],
    )
    await TestResults(session).keep_request(test, facts.request)
    test.status = "succeeded"
    assert await store_summary(session, facts.summary, DONE)
    await session.flush()
    return test


async def project(session: AsyncSession) -> Project:
    p = Project(title="결과")
    session.add(p)
    await session.flush()
    return p


async def fast_then_slow(session: AsyncSession) -> tuple[Project, TestHistory, TestHistory]:
    """A project and two runs of it: p95 50 ms, then 180 ms (worse than the first)."""
    shop = await project(session)
    return shop, await stored_run(session, shop, 50), await stored_run(session, shop, 180)
