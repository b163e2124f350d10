"""A project's trend and the comparison of two runs over HTTP, on both backends."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.history_rows import Scenario, add_project, add_run, at
from mv_contracts.metrics import FIGURE_NAMES as FIGURES
from mv_gateway.history.tables import TestHistory
from mv_gateway.projects.tables import Project


def figures(tps: float, p95: float, errors: float, requests: int) -> dict[str, Any]:
    return {
        "avg_tps": tps,
        "p95_response_time": p95,
        "p99_response_time": p95 * 2,
        "avg_response_time": p95 / 3,
        "avg_error_rate": errors,
        "total_requests": requests,
    }


async def trend_runs(session: AsyncSession) -> tuple[Project, list[TestHistory]]:
    """Completed runs r1, r3, r4 of one project (r4 stored before r3 but tested after it),
    plus an older run, a running one and another project's run that a trend must leave out."""
    project, other = await add_project(session), await add_project(session, "other")
    old = await add_run(session, project, at(-100), "old", **figures(1, 1, 0, 1))
    r1 = await add_run(
        session,
        project,
        at(1),
        "r1",
        scenarios=[
            Scenario("login", figures(10, 100, 0.0, 600)),
            Scenario("search", figures(20, 50, 0.1, 1200)),
        ],
        **figures(30, 90, 0.05, 1800),
    )
    await add_run(session, project, at(2), "running", completed=False, **figures(9, 9, 9, 9))
    r4 = await add_run(
        session,
        project,
        at(4),
        "r4",
        status="failed",
        scenarios=[Scenario("search"), Scenario("checkout")],
    )
    r3 = await add_run(
        session,
        project,
        at(3),
        "r3",
        scenarios=[
            Scenario("checkout", figures(5, 300, 0.2, 300)),
            Scenario("search", figures(25, 40, 0.0, 1500)),
        ],
        **figures(30, 200, 0.1, 1800),
    )
    await add_run(session, other, at(1), "elsewhere", scenarios=[Scenario("login")])
    return project, [old, r1, r3, r4]


async def test_trend_orders_completed_runs_and_groups_scenarios_by_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project, (old, r1, r3, r4) = await trend_runs(session)
    response = await client.get(
        f"/test-history/projects/{project.id}/trend", params={"since": "2099-12-31T00:00:00Z"}
    )
    assert response.status_code == 200
    trend = response.json()
    assert trend["project_id"] == project.id
    assert [r["test_history_id"] for r in trend["runs"]] == [r1.id, r3.id, r4.id]
    assert trend["runs"][0] == {
        "test_history_id": r1.id,
        "test_id": r1.test_id,
        "title": "r1",
        "tested_at": "2100-01-01T01:00:00Z",
        "status": "succeeded",
        "avg_tps": 30.0,
        "p95_response_time": 90.0,
        "p99_response_time": 180.0,
        "avg_response_time": 30.0,
        "avg_error_rate": 0.05,
        "total_requests": 1800,
    }
    assert trend["runs"][2]["status"] == "failed"
    assert trend["runs"][2]["avg_tps"] is None

    by_name = {s["name"]: s["points"] for s in trend["scenarios"]}
    assert [s["name"] for s in trend["scenarios"]] == ["login", "search", "checkout"]
    assert [p["test_history_id"] for p in by_name["login"]] == [r1.id]
    assert [p["test_history_id"] for p in by_name["search"]] == [r1.id, r3.id, r4.id]
    assert [p["avg_tps"] for p in by_name["search"]] == [20.0, 25.0, None]
    assert [p["p95_response_time"] for p in by_name["search"]] == [50.0, 40.0, None]
    assert [p["test_history_id"] for p in by_name["checkout"]] == [r3.id, r4.id]
    assert by_name["checkout"][0]["tested_at"] == "2100-01-01T03:00:00Z"

    everything = (await client.get(f"/test-history/projects/{project.id}/trend")).json()
    assert [r["test_history_id"] for r in everything["runs"]] == [old.id, r1.id, r3.id, r4.id]


async def test_trend_limit_keeps_the_latest_runs_and_naive_since_is_utc(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project, (_, _, r3, r4) = await trend_runs(session)
    url = f"/test-history/projects/{project.id}/trend"
    latest = (await client.get(url, params={"limit": 2})).json()
    assert [r["test_history_id"] for r in latest["runs"]] == [r3.id, r4.id]
    assert [s["name"] for s in latest["scenarios"]] == ["checkout", "search"]

    naive = (await client.get(url, params={"since": "2100-01-01T03:00:00"})).json()
    assert [r["test_history_id"] for r in naive["runs"]] == [r3.id, r4.id]
    offset = (await client.get(url, params={"since": "2100-01-01T04:00:00+01:00"})).json()
    assert [r["test_history_id"] for r in offset["runs"]] == [r3.id, r4.id]
    future = (await client.get(url, params={"since": "2200-01-01T00:00:00Z"})).json()
    assert (future["runs"], future["scenarios"]) == ([], [])


async def test_trend_errors(client: httpx.AsyncClient, session: AsyncSession) -> None:
    response = await client.get("/test-history/projects/987654321/trend")
    assert response.status_code == 404
    assert response.json() == {"detail": "project 987654321 not found"}
    project = await add_project(session)
    url = f"/test-history/projects/{project.id}/trend"
    for params, field in [
        ({"since": "yesterday"}, "since"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
    ]:
        response = await client.get(url, params=params)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", field]


async def test_compare_two_runs_overall_and_per_scenario(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project = await add_project(session)
    base = await add_run(
        session,
        project,
        at(1),
        "before",
        scenarios=[
            Scenario("login", {"avg_tps": 10.0}),
            Scenario("search", {"avg_tps": 40.0, "p95_response_time": 80.0, "max_vus": 10.0}),
        ],
        avg_tps=200.0,
        p95_response_time=120.0,
        avg_error_rate=0.0,
        total_requests=12000,
        p99_response_time=300.0,
    )
    other = await add_run(
        session,
        project,
        at(2),
        "after",
        scenarios=[
            Scenario("search", {"avg_tps": 50.0, "p95_response_time": 60.0}),
            Scenario("checkout", {"avg_tps": 1.0}),
        ],
        avg_tps=250.0,
        p95_response_time=90.0,
        avg_error_rate=0.02,
        total_requests=15000,
    )
    response = await client.get(
        "/test-history/compare", params={"base": base.id, "other": other.id}
    )
    assert response.status_code == 200
    c = response.json()
    assert (c["base"]["id"], c["base"]["title"]) == (base.id, "before")
    assert (c["other"]["id"], c["other"]["test_id"]) == (other.id, other.test_id)

    overall = c["overall"]
    assert list(overall) == list(FIGURES)
    # Rows without stored series: +25 % is not shown to be significant, so it is not "better".
    assert overall["avg_tps"] == {
        "base": 200,
        "other": 250,
        "delta": 50,
        "change_percent": 25,
        "judgement": "same",
        "p_value": None,
    }
    p95 = overall["p95_response_time"]
    assert (p95["delta"], p95["change_percent"]) == (-30, -25)
    assert overall["total_requests"]["delta"] == 3000
    assert overall["total_requests"]["change_percent"] == pytest.approx(25.0)
    assert overall["avg_error_rate"] == {
        "base": 0.0,
        "other": 0.02,
        "delta": 0.02,
        "change_percent": None,
        "judgement": "same",
        "p_value": None,
    }
    assert overall["p99_response_time"] == {
        "base": 300.0,
        "other": None,
        "delta": None,
        "change_percent": None,
        "judgement": "same",
        "p_value": None,
    }

    (search,) = c["scenarios"]
    assert search["name"] == "search"
    assert search["figures"]["avg_tps"]["delta"] == 10
    assert search["figures"]["avg_tps"]["change_percent"] == pytest.approx(25.0)
    assert search["figures"]["p95_response_time"]["delta"] == -20
    assert search["figures"]["p95_response_time"]["change_percent"] == pytest.approx(-25.0)
    assert search["figures"]["max_vus"]["delta"] is None
    assert search["figures"]["max_vus"]["judgement"] is None  # a figure the method never judges
    assert [s["name"] for s in c["only_in_base"]] == ["login"]
    assert [s["name"] for s in c["only_in_other"]] == ["checkout"]
    assert search["base_scenario_id"] != search["other_scenario_id"]

    swapped = (
        await client.get("/test-history/compare", params={"base": other.id, "other": base.id})
    ).json()
    assert swapped["overall"]["avg_tps"]["delta"] == -50
    assert swapped["overall"]["avg_tps"]["change_percent"] == pytest.approx(-20.0)
    assert [s["name"] for s in swapped["only_in_base"]] == ["checkout"]

    itself = (
        await client.get("/test-history/compare", params={"base": base.id, "other": base.id})
    ).json()
    assert itself["overall"]["avg_tps"]["delta"] == 0
    assert len(itself["scenarios"]) == 2
    assert (itself["only_in_base"], itself["only_in_other"]) == ([], [])


async def test_compare_errors(client: httpx.AsyncClient, session: AsyncSession) -> None:
    known = (await add_run(session, await add_project(session), at(1))).id
    for params, unknown in [
        ({"base": 987654321, "other": known}, 987654321),
        ({"base": known, "other": 2**63 - 1}, 2**63 - 1),
    ]:
        response = await client.get("/test-history/compare", params=params)
        assert response.status_code == 404
        assert response.json() == {"detail": f"test history {unknown} not found"}
    invalid: list[tuple[dict[str, int | str], str]] = [
        ({"base": known}, "other"),
        ({"other": known}, "base"),
        ({"base": "0", "other": known}, "base"),
        ({"base": known, "other": str(2**63)}, "other"),
        ({"base": "x", "other": known}, "base"),
    ]
    for bad, field in invalid:
        response = await client.get("/test-history/compare", params=bad)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", field]


async def test_swagger_documents_the_history_routes(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/openapi.json")).json()
    for path in [
        "/test-history/simple",
        "/test-history/projects/{project_id}",
        "/test-history/projects/{project_id}/trend",
        "/test-history/{test_history_id}/details",
        "/test-history/compare",
    ]:
        assert "200" in document["paths"][path]["get"]["responses"], path
    schemas = document["components"]["schemas"]
    for name in ["TestListItem", "ProjectTestPage", "ProjectTrend", "RunComparison", "Figures"]:
        assert schemas[name].get("examples"), name
    sort = document["paths"]["/test-history/projects/{project_id}"]["get"]["parameters"]
    assert any(p["name"] == "sort" for p in sort)
