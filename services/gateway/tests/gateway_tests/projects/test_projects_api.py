"""The project endpoints over HTTP, on both backends."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


async def test_create_get_list_delete(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/project",
        json={"title": "결제 API", "summary": "테스트 프로젝트", "description": "상세 설명"},
    )
    assert created.status_code == 201
    project = created.json()
    assert project["title"] == "결제 API"
    assert project["summary"] == "테스트 프로젝트"

    fetched = await client.get(f"/project/{project['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == project

    listed = await client.get("/project")
    assert project in listed.json()

    deleted = await client.delete(f"/project/{project['id']}")
    assert deleted.status_code == 204
    assert (await client.get(f"/project/{project['id']}")).status_code == 404
    assert (await client.delete(f"/project/{project['id']}")).status_code == 404


@pytest.mark.parametrize("project_id", [987654, 2**31, 2**63 - 1])
async def test_unknown_project_is_404_with_the_id(
    client: httpx.AsyncClient, project_id: int
) -> None:
    response = await client.get(f"/project/{project_id}")
    assert response.status_code == 404
    assert response.json() == {"detail": f"project {project_id} not found"}
    assert (await client.delete(f"/project/{project_id}")).status_code == 404


async def test_list_is_paged(client: httpx.AsyncClient) -> None:
    ids = [(await client.post("/project", json={"title": f"p{i}"})).json()["id"] for i in range(3)]
    page = (await client.get("/project", params={"offset": 1, "limit": 1})).json()
    everything = [p["id"] for p in (await client.get("/project", params={"limit": 500})).json()]
    assert len(page) == 1
    assert page[0]["id"] == everything[1]
    assert set(ids) <= set(everything)


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({}, "title", "Field required"),
        ({"title": ""}, "title", "at least 1 character"),
        ({"title": "x" * 256}, "title", "at most 255 characters"),
        ({"title": "a\u0000b"}, "title", "NUL"),
        ({"title": 5}, "title", "valid string"),
        ({"title": "t", "summary": "s" * 501}, "summary", "at most 500 characters"),
        ({"title": "t", "owner": "me"}, "owner", "Extra inputs"),
    ],
)
async def test_invalid_project_is_422_naming_field_and_reason(
    client: httpx.AsyncClient, body: dict[str, Any], field: str, reason: str
) -> None:
    before = len((await client.get("/project", params={"limit": 500})).json())
    response = await client.post("/project", json=body)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert any(e["loc"][-1] == field and reason in e["msg"] for e in errors), errors
    assert len((await client.get("/project", params={"limit": 500})).json()) == before


@pytest.mark.parametrize(
    ("request_args", "where"),
    [
        (("GET", "/project/abc"), "project_id"),
        (("GET", "/project/0"), "project_id"),
        (("GET", "/project/99999999999999999999"), "project_id"),
        (("DELETE", "/project/-1"), "project_id"),
        (("GET", "/project?limit=0"), "limit"),
        (("GET", "/project?offset=-5"), "offset"),
    ],
)
async def test_bad_ids_and_paging_are_422(
    client: httpx.AsyncClient, request_args: tuple[str, str], where: str
) -> None:
    method, url = request_args
    response = await client.request(method, url)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == where


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/project", content=b"{bad", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


async def test_swagger_ui_and_openapi_are_served(client: httpx.AsyncClient) -> None:
    assert "swagger-ui" in (await client.get("/api/swagger")).text
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    assert {"/", "/project", "/project/{project_id}"} <= set(paths)


async def test_search_by_title_any_case_with_the_total_among_hundreds(
    client: httpx.AsyncClient,
) -> None:
    for i in range(230):
        assert (await client.post("/project", json={"title": f"서비스 {i:03}"})).status_code == 201
    wanted = (await client.post("/project", json={"title": "Orders 주문 API"})).json()
    await client.post("/project", json={"title": "100%_literal"})

    found = await client.get("/project", params={"q": "orders 주문"})
    assert found.status_code == 200
    assert found.json() == [wanted]
    assert found.headers["X-Total-Count"] == "1"
    assert (await client.get("/project", params={"q": "ORDERS"})).json() == [wanted]
    # % and _ are text, not patterns
    literal = await client.get("/project", params={"q": "%_"})
    assert [p["title"] for p in literal.json()] == ["100%_literal"]

    newest = await client.get("/project", params={"limit": 10, "order": "newest"})
    assert newest.json()[1] == wanted  # the new ones first, whatever else exists
    total = int(newest.headers["X-Total-Count"])
    assert total >= 232
    pages = await client.get("/project", params={"q": "서비스", "limit": 100, "offset": 200})
    assert pages.headers["X-Total-Count"] == "230"
    assert len(pages.json()) == 30


@pytest.mark.parametrize(
    ("params", "field"),
    [({"q": "a\u0000b"}, "q"), ({"q": "x" * 256}, "q"), ({"order": "random"}, "order")],
)
async def test_a_bad_search_is_a_422_naming_the_parameter(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await client.get("/project", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", field]
