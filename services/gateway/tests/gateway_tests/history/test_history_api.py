"""The main board, a project's test page and a test's details over HTTP, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.history_rows import Scenario, add_endpoint, add_project, add_run, add_usage, at


async def test_main_board_lists_latest_first_with_project_and_figures(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    shop, pay = await add_project(session, "쇼핑몰"), await add_project(session, "결제")
    old = await add_run(session, shop, at(1), "old", avg_tps=10.0)
    new = await add_run(
        session,
        pay,
        at(3),
        "new",
        avg_tps=200.0,
        p95_response_time=120.5,
        avg_error_rate=0.02,
        total_requests=12000,
    )
    running = await add_run(session, shop, at(2), "running", completed=False)

    response = await client.get("/test-history/simple", params={"limit": 3})
    assert response.status_code == 200
    board = response.json()
    assert [t["id"] for t in board] == [new.id, running.id, old.id]
    assert board[0] == {
        "id": new.id,
        "test_id": new.test_id,
        "title": "new",
        "project_id": pay.id,
        "project_title": "결제",
        "tested_at": "2100-01-01T03:00:00Z",
        "completed_at": "2100-01-01T03:01:00Z",
        "status": "succeeded",
        "state": "completed",
        "verdict": None,  # not analysed
        "is_baseline": False,
        "is_completed": True,
        "complete": None,  # rows written directly, as no summary ever came
        "avg_tps": 200.0,
        "p95_response_time": 120.5,
        "avg_error_rate": 0.02,
        "total_requests": 12000,
    }
    assert board[1]["status"] == "running"
    assert (board[1]["state"], board[1]["verdict"]) == ("running", None)
    assert board[1]["is_completed"] is False
    assert board[1]["avg_tps"] is None

    two = (await client.get("/test-history/simple", params={"limit": 2})).json()
    assert [t["id"] for t in two] == [new.id, running.id]


async def test_main_board_default_limit_is_20(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project = await add_project(session)
    ids = [(await add_run(session, project, at(i))).id for i in range(21)]
    board = (await client.get("/test-history/simple")).json()
    assert [t["id"] for t in board] == ids[::-1][:20]


@pytest.mark.parametrize("limit", ["0", "201", "-1", "abc", str(2**64)])
async def test_main_board_bad_limit_is_422(client: httpx.AsyncClient, limit: str) -> None:
    response = await client.get("/test-history/simple", params={"limit": limit})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


async def test_project_page_totals_and_pages_without_overlap(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project, other = await add_project(session), await add_project(session, "other")
    ids = [(await add_run(session, project, at(i), f"r{i}")).id for i in range(5)]
    await add_run(session, other, at(9))
    url = f"/test-history/projects/{project.id}"

    pages = [(await client.get(url, params={"offset": o, "limit": 2})).json() for o in (0, 2, 4)]
    assert [p["total"] for p in pages] == [5, 5, 5]
    assert [[t["id"] for t in p["items"]] for p in pages] == [ids[4:2:-1], ids[2:0:-1], ids[:1]]
    assert pages[0]["sort"] == "tested_at"
    assert pages[0]["order"] == "desc"
    assert (pages[1]["offset"], pages[1]["limit"], pages[1]["project_id"]) == (2, 2, project.id)

    beyond = (await client.get(url, params={"offset": 10})).json()
    assert (beyond["total"], beyond["items"]) == (5, [])


async def test_project_page_sorts_by_figure_with_missing_last(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project = await add_project(session)
    slow = await add_run(session, project, at(1), "b", avg_tps=5.0, p95_response_time=900.0)
    fast = await add_run(session, project, at(2), "A", avg_tps=50.0, p95_response_time=20.0)
    same = await add_run(session, project, at(3), "가", avg_tps=5.0, p95_response_time=300.0)
    none = await add_run(session, project, at(4), "a", completed=False)
    url = f"/test-history/projects/{project.id}"

    async def order(sort: str, direction: str) -> list[int]:
        page = (await client.get(url, params={"sort": sort, "order": direction})).json()
        return [t["id"] for t in page["items"]]

    # ties (avg_tps 5.0 twice) broken by id in the direction asked
    assert await order("avg_tps", "asc") == [slow.id, same.id, fast.id, none.id]
    assert await order("avg_tps", "desc") == [fast.id, same.id, slow.id, none.id]
    assert await order("p95_response_time", "asc") == [fast.id, same.id, slow.id, none.id]
    assert await order("avg_error_rate", "desc") == [none.id, same.id, fast.id, slow.id]
    assert await order("tested_at", "asc") == [slow.id, fast.id, same.id, none.id]
    # titles by code point on both backends: "A" < "a" < "b" < "가"
    assert await order("title", "asc") == [fast.id, none.id, slow.id, same.id]
    assert await order("title", "desc") == [same.id, slow.id, none.id, fast.id]


@pytest.mark.parametrize(
    ("params", "field", "reason"),
    [
        ({"sort": "status"}, "sort", "'tested_at'"),
        ({"sort": "id; drop table project"}, "sort", "'avg_tps'"),
        ({"order": "up"}, "order", "'asc' or 'desc'"),
        ({"offset": "-1"}, "offset", "greater than or equal to 0"),
        ({"limit": "201"}, "limit", "less than or equal to 200"),
    ],
)
async def test_project_page_bad_query_is_422_naming_field(
    client: httpx.AsyncClient,
    session: AsyncSession,
    params: dict[str, str],
    field: str,
    reason: str,
) -> None:
    project = await add_project(session)
    response = await client.get(f"/test-history/projects/{project.id}", params=params)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert any(e["loc"] == ["query", field] and reason in e["msg"] for e in errors), errors


async def test_project_page_of_empty_and_unknown_projects(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    empty = await add_project(session)
    page = (await client.get(f"/test-history/projects/{empty.id}")).json()
    assert (page["total"], page["items"]) == (0, [])

    for project_id in (987654321, 2**63 - 1):
        response = await client.get(f"/test-history/projects/{project_id}")
        assert response.status_code == 404
        assert response.json() == {"detail": f"project {project_id} not found"}
    for bad in ("0", "x", str(2**63)):
        response = await client.get(f"/test-history/projects/{bad}")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["path", "project_id"]


async def test_details_nest_scenarios_stages_and_pod_series(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project = await add_project(session)
    endpoint_id = await add_endpoint(session, project, "GET", "/items/{id}")
    test = await add_run(
        session,
        project,
        at(1),
        "상세",
        scenarios=[
            Scenario(
                "상품 조회",
                {"avg_tps": 20.0, "p99_response_time": 80.0, "total_requests": 1200},
                endpoint_id=endpoint_id,
                stages=[("10s", 5), ("1m", 20), ("10s", 0)],
                executor="ramping-vus",
            ),
            Scenario("login", {"avg_tps": 3.0}),
        ],
        avg_tps=23.0,
        p50_response_time=30.0,
        max_vus=25.0,
        failed_requests=12,
    )
    test.description = "설명"
    test.executor = "local"
    # stored out of order, two pods
    await add_usage(session, test, "web-b", datetime(2100, 1, 1, 1, 0, 10, tzinfo=UTC), 300.0)
    await add_usage(session, test, "web-a", datetime(2100, 1, 1, 1, 0, 10, tzinfo=UTC), 200.0)
    await add_usage(session, test, "web-a", datetime(2100, 1, 1, 1, 0, 5, tzinfo=UTC), 100.0)

    response = await client.get(f"/test-history/{test.id}/details")
    assert response.status_code == 200
    d = response.json()
    assert (d["id"], d["test_id"], d["title"], d["description"]) == (
        test.id,
        test.test_id,
        "상세",
        "설명",
    )
    assert (d["project_id"], d["project_title"], d["executor"]) == (project.id, "결제 API", "local")
    assert d["figures"]["avg_tps"] == 23.0
    assert d["figures"]["p50_response_time"] == 30.0
    assert d["figures"]["max_vus"] == 25.0
    assert d["figures"]["failed_requests"] == 12
    assert d["figures"]["p99_response_time"] is None
    assert len(d["figures"]) == 19

    first, second = d["scenarios"]
    assert first["name"] == "상품 조회"
    assert first["endpoint"] == {"id": endpoint_id, "method": "GET", "path": "/items/{id}"}
    assert (first["executor"], first["think_time"], first["scenario_tag"]) == (
        "ramping-vus",
        1.0,
        "s01",
    )
    assert [(s["duration"], s["target"]) for s in first["stages"]] == [
        ("10s", 5),
        ("1m", 20),
        ("10s", 0),
    ]
    assert first["figures"]["p99_response_time"] == 80.0
    assert first["figures"]["total_requests"] == 1200
    assert (second["name"], second["endpoint_id"], second["endpoint"]) == ("login", None, None)
    assert second["stages"] == []
    assert second["figures"]["avg_tps"] == 3.0

    pods = d["resources"]
    assert [(p["namespace"], p["pod_name"]) for p in pods] == [("test", "web-a"), ("test", "web-b")]
    assert [p["cpu_usage_millicores"] for p in pods[0]["points"]] == [100.0, 200.0]
    assert pods[0]["points"][0]["timestamp"] == "2100-01-01T01:00:05Z"
    assert pods[0]["points"][0]["cpu_percent"] == 20.0
    assert pods[0]["points"][0]["memory_limit_mb"] == 256.0
    assert [p["cpu_usage_millicores"] for p in pods[1]["points"]] == [300.0]


async def test_details_of_a_bare_pending_test(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    test = await add_run(session, await add_project(session), at(1), completed=False)
    d = (await client.get(f"/test-history/{test.id}/details")).json()
    assert (d["status"], d["is_completed"], d["completed_at"]) == ("running", False, None)
    assert (d["scenarios"], d["resources"]) == ([], [])
    assert set(d["figures"].values()) == {None}


async def test_details_unknown_is_404_and_bad_id_is_422(client: httpx.AsyncClient) -> None:
    for test_history_id in (987654321, 2**63 - 1):
        response = await client.get(f"/test-history/{test_history_id}/details")
        assert response.status_code == 404
        assert response.json() == {"detail": f"test history {test_history_id} not found"}
    for bad in ("0", "abc", str(2**63), "1.5"):
        response = await client.get(f"/test-history/{bad}/details")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["path", "test_history_id"]
