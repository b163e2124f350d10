"""History read back from rows written the way the product writes them: POST /load-testing's
repository, then the lifecycle, pod-resource and summary handlers' functions, on both backends."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.history_rows import add_endpoint, add_project
from mv_contracts.lifecycle import (
    RunStatus,
    TestFinished,
    TestFinishedEvent,
    TestStarted,
    TestStartedEvent,
)
from mv_contracts.metrics import MetricFigures, ScenarioSummary, TestSummary
from mv_contracts.pods import PodResources, PodResourcesSnapshot
from mv_contracts.runs import scenario_tag
from mv_gateway.history.lifecycle import store_finished, store_started
from mv_gateway.history.records import NewScenario
from mv_gateway.history.records import TestRuns as Runs  # not a pytest class
from mv_gateway.history.resources import store_pod_resources
from mv_gateway.history.summaries import store_summary
from mv_gateway.projects.tables import Project

NAMES = ("상품 조회", "login")
T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def figures(tps: float, p95: float, requests: int) -> MetricFigures:
    return MetricFigures(
        total_requests=requests,
        failed_requests=requests // 100,
        test_duration=30,
        avg_tps=tps,
        p95_response_time=p95,
        avg_error_rate=0.01,
    )


async def run(
    session: AsyncSession,
    project: Project,
    endpoints: list[int],
    overall: MetricFigures,
    scenarios: list[MetricFigures],
) -> int:
    """One test through its whole life; returns its test_history id."""
    test_id = str(uuid.uuid4())
    test = await Runs(session).add(
        test_id,
        project.id,
        "from the bus",
        None,
        100,
        [
            NewScenario(
                name=name,
                scenario_tag=scenario_tag(i, name),
                endpoint_id=endpoints[i],
                executor="ramping-vus",
                think_time=0.5,
                response_time_target=500,
                error_rate_target=0.05,
                stages=[("10s", 5 * (i + 1)), ("20s", 0)],
            )
            for i, name in enumerate(NAMES)
        ],
    )
    started = TestStarted(
        test_id=test_id, executor="local", job_name="k6-x", script_name="x.js", started_at=T0
    )
    await store_started(session, TestStartedEvent(correlation_id=test_id, payload=started))
    for seconds, cpu in ((5, 100.0), (10, 250.0)):
        pods = [
            PodResources(namespace="test", pod=pod, cpu_usage_millicores=cpu, cpu_percent=cpu / 5)
            for pod in ("shop-b", "shop-a")
        ]
        snapshot = PodResourcesSnapshot(
            namespace="test", at=T0 + timedelta(seconds=seconds), pods=pods, test_ids=[test_id]
        )
        assert await store_pod_resources(session, snapshot) == 2
    finished = TestFinished(
        test_id=test_id, status=RunStatus.SUCCEEDED, finished_at=T0 + timedelta(seconds=31)
    )
    await store_finished(session, TestFinishedEvent(correlation_id=test_id, payload=finished))
    summary = TestSummary(
        test_id=test_id,
        overall=overall,
        scenarios=[
            ScenarioSummary(name=scenario_tag(i, name), figures=f)
            for i, (name, f) in enumerate(zip(NAMES, scenarios, strict=True))
        ],
    )
    assert await store_summary(session, summary, T0 + timedelta(seconds=40))
    await session.flush()
    return test.id


async def test_details_trend_and_comparison_of_stored_runs(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project = await add_project(session)
    endpoints = [
        await add_endpoint(session, project, "GET", "/products/{id}"),
        await add_endpoint(session, project, "POST", "/login"),
    ]
    first = await run(
        session,
        project,
        endpoints,
        figures(30, 200, 900),
        [figures(20, 250, 600), figures(10, 90, 300)],
    )
    second = await run(
        session,
        project,
        endpoints,
        figures(45, 150, 1350),
        [figures(30, 180, 900), figures(15, 90, 450)],
    )

    d = (await client.get(f"/test-history/{first}/details")).json()
    assert (d["status"], d["is_completed"], d["ended"], d["executor"], d["job_name"]) == (
        "succeeded",
        True,
        True,
        "local",
        "k6-x",
    )
    assert d["completed_at"] == "2026-11-21T09:00:40Z"
    assert (d["figures"]["avg_tps"], d["figures"]["total_requests"]) == (30.0, 900)
    products, login = d["scenarios"]
    assert (products["name"], products["scenario_tag"]) == ("상품 조회", "s01")
    assert products["endpoint"] == {"id": endpoints[0], "method": "GET", "path": "/products/{id}"}
    assert (products["figures"]["avg_tps"], products["figures"]["p95_response_time"]) == (20, 250)
    assert (products["response_time_target"], products["error_rate_target"]) == (500, 0.05)
    assert [(s["duration"], s["target"]) for s in products["stages"]] == [("10s", 5), ("20s", 0)]
    assert (login["endpoint"]["method"], login["figures"]["total_requests"]) == ("POST", 300)
    assert [(s["duration"], s["target"]) for s in login["stages"]] == [("10s", 10), ("20s", 0)]
    assert [p["pod_name"] for p in d["resources"]] == ["shop-a", "shop-b"]
    assert [pt["cpu_usage_millicores"] for pt in d["resources"][0]["points"]] == [100.0, 250.0]
    assert [pt["timestamp"] for pt in d["resources"][1]["points"]] == [
        "2026-11-21T09:00:05Z",
        "2026-11-21T09:00:10Z",
    ]

    page = (
        await client.get(f"/test-history/projects/{project.id}", params={"sort": "avg_tps"})
    ).json()
    assert [t["id"] for t in page["items"]] == [second, first]
    assert page["items"][0]["p95_response_time"] == 150.0

    trend = (await client.get(f"/test-history/projects/{project.id}/trend")).json()
    assert [r["avg_tps"] for r in trend["runs"]] == [30.0, 45.0]
    assert [s["name"] for s in trend["scenarios"]] == list(NAMES)
    assert [p["p95_response_time"] for p in trend["scenarios"][0]["points"]] == [250.0, 180.0]

    c = (await client.get("/test-history/compare", params={"base": first, "other": second})).json()
    assert (c["overall"]["avg_tps"]["delta"], c["overall"]["avg_tps"]["change_percent"]) == (15, 50)
    by_name = {s["name"]: s["figures"] for s in c["scenarios"]}
    assert by_name["상품 조회"]["p95_response_time"]["delta"] == -70
    assert by_name["상품 조회"]["p95_response_time"]["change_percent"] == pytest.approx(-28)
    assert by_name["login"]["total_requests"]["delta"] == 150
    assert by_name["login"]["p95_response_time"]["change_percent"] == 0
    assert (c["only_in_base"], c["only_in_other"]) == ([], [])
