"""Spec, tag and endpoint routes on both backends, with specs stored through the repository."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.spec import (
    AnalysedSpec,
    EndpointInfo,
    ParameterInfo,
    RequestBodyInfo,
    TagInfo,
)
from mv_gateway.specs.repository import SpecRepository


def analysed(
    *endpoints: EndpointInfo, source_url: str | None = "http://svc/openapi.json"
) -> AnalysedSpec:
    tags = {t for e in endpoints for t in e.tags}
    return AnalysedSpec(
        title="주문 API",
        version="1.0",
        openapi_version="3.1.0",
        base_url="http://svc",
        source_url=source_url,
        tags=[TagInfo(name=t, description=f"{t} 설명") for t in sorted(tags)],
        endpoints=list(endpoints),
    )


def endpoint(method: str, path: str, tag: str, fingerprint: str, **fields: object) -> EndpointInfo:
    return EndpointInfo.model_validate(
        {"method": method, "path": path, "tags": [tag], "fingerprint": fingerprint, **fields}
    )


ORDERS = endpoint(
    "GET",
    "/orders/{id}",
    "orders",
    "a1",
    summary="주문 조회",
    parameters=[ParameterInfo(name="id", location="path", required=True, example=1)],
)
CREATE = endpoint(
    "POST",
    "/orders",
    "orders",
    "b1",
    summary="Create an order",
    request_body=RequestBodyInfo(content_types=["application/json"], example={"item": "책"}),
)
HEALTH = endpoint("GET", "/health", "default", "c1", description="liveness 100%_ok")


async def project(client: httpx.AsyncClient) -> int:
    answer = await client.post("/project", json={"title": "specs"})
    assert answer.status_code == 201
    return int(answer.json()["id"])


async def test_spec_routes(client: httpx.AsyncClient, session: AsyncSession) -> None:
    project_id = await project(client)
    spec, changes = await SpecRepository(session).store(
        project_id, None, analysed(ORDERS, CREATE, HEALTH)
    )
    assert changes.added == ["GET /orders/{id}", "POST /orders", "GET /health"]

    listed = (await client.get("/openapi", params={"project_id": project_id})).json()
    assert [s["id"] for s in listed] == [spec.id]
    assert listed[0]["title"] == "주문 API"

    detail = (await client.get(f"/openapi/{spec.id}")).json()
    assert [t["name"] for t in detail["tags"]] == ["default", "orders"]
    assert detail["tags"][1]["description"] == "orders 설명"
    by_path = {(e["method"], e["path"]): e for e in detail["endpoints"]}
    assert by_path[("GET", "/orders/{id}")]["parameters"][0]["example"] == 1
    assert by_path[("POST", "/orders")]["request_body"]["example"] == {"item": "책"}
    assert by_path[("GET", "/health")]["tags"] == ["default"]

    assert (await client.delete(f"/openapi/{spec.id}")).status_code == 204
    assert (await client.get(f"/openapi/{spec.id}")).status_code == 404
    assert (await client.delete(f"/openapi/{spec.id}")).status_code == 404
    assert (await client.get("/endpoint", params={"spec_id": spec.id})).json() == []


async def test_endpoint_filters(client: httpx.AsyncClient, session: AsyncSession) -> None:
    project_id = await project(client)
    spec, _ = await SpecRepository(session).store(
        project_id, None, analysed(ORDERS, CREATE, HEALTH)
    )

    async def paths(**params: str | int) -> list[str]:
        answer = await client.get("/endpoint", params={"spec_id": spec.id, **params})
        assert answer.status_code == 200, answer.text
        return [f"{e['method']} {e['path']}" for e in answer.json()]

    assert await paths() == ["GET /orders/{id}", "POST /orders", "GET /health"]
    assert await paths(tag="orders") == ["GET /orders/{id}", "POST /orders"]
    assert await paths(method="POST") == ["POST /orders"]
    assert await paths(text="주문") == ["GET /orders/{id}"]
    assert await paths(text="CREATE") == ["POST /orders"]
    assert await paths(text="100%_") == ["GET /health"]
    assert await paths(text="%") == ["GET /health"]
    assert await paths(tag="orders", method="GET") == ["GET /orders/{id}"]
    assert await paths(tag="nope") == []
    by_project = await client.get("/endpoint", params={"project_id": project_id})
    assert len(by_project.json()) == 3
    assert (await client.get("/endpoint", params={"method": "FETCH"})).status_code == 422


async def test_reanalysis_updates_in_place(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project_id = await project(client)
    repository = SpecRepository(session)
    spec, _ = await repository.store(project_id, None, analysed(ORDERS, CREATE, HEALTH))
    first_ids = {
        e["path"]: e["id"]
        for e in (await client.get("/endpoint", params={"spec_id": spec.id})).json()
    }
    changed = ORDERS.model_copy(update={"summary": "주문 상세", "fingerprint": "a2"})
    added = endpoint("DELETE", "/orders/{id}", "orders", "d1")
    again, changes = await repository.store(project_id, spec.id, analysed(changed, HEALTH, added))
    assert again.id == spec.id
    assert changes.added == ["DELETE /orders/{id}"]
    assert changes.changed == ["GET /orders/{id}"]
    assert changes.removed == ["POST /orders"]
    assert changes.unchanged == 1
    assert await repository.known_endpoints(spec.id) == {
        "GET /orders/{id}": "a2",
        "GET /health": "c1",
        "DELETE /orders/{id}": "d1",
    }

    current = (await client.get(f"/openapi/{spec.id}")).json()["endpoints"]
    assert {(e["method"], e["path"]) for e in current} == {
        ("GET", "/orders/{id}"), ("GET", "/health"), ("DELETE", "/orders/{id}")
    }  # fmt: skip
    everything = (await client.get(f"/openapi/{spec.id}", params={"include_removed": True})).json()
    removed = [e for e in everything["endpoints"] if e["removed"]]
    assert [(e["method"], e["path"], e["id"]) for e in removed] == [
        ("POST", "/orders", first_ids["/orders"])
    ]
    kept = next(
        e for e in everything["endpoints"] if e["method"] == "GET" and e["path"] == "/orders/{id}"
    )
    assert kept["id"] == first_ids["/orders/{id}"]
    assert kept["summary"] == "주문 상세"

    # The same source URL without a spec id also updates that spec, and brings POST back.
    third, changes = await repository.store(project_id, None, analysed(ORDERS, CREATE, HEALTH))
    assert third.id == spec.id
    assert changes.changed == ["GET /orders/{id}", "POST /orders"]
    assert changes.removed == ["DELETE /orders/{id}"]


async def test_bad_requests(client: httpx.AsyncClient) -> None:
    assert (await client.get("/openapi", params={"project_id": 2**40})).status_code == 404
    assert (await client.get("/openapi")).status_code == 422
    assert (await client.get("/openapi/0")).status_code == 422
    answer = await client.post(
        "/openapi/analyze", json={"project_id": 2**40, "openapi_url": "http://svc/openapi.json"}
    )
    assert answer.status_code == 404
    assert "project" in answer.json()["detail"]
    cases = [
        {"project_id": 1},
        {"project_id": 1, "openapi_url": "http://svc/x", "document": "openapi: 3.0.0"},
        {"project_id": 1, "openapi_url": "not a url"},
        {"project_id": 1, "openapi_url": "ftp://svc/x.json"},
        {"project_id": 0, "document": "openapi: 3.0.0"},
        {"project_id": 1, "document": "openapi: 3.0.0", "extra": 1},
    ]
    for body in cases:
        answer = await client.post("/openapi/analyze", json=body)
        assert answer.status_code == 422, body
    answer = await client.post("/openapi/analyze", json={"project_id": 1})
    assert "exactly one of openapi_url or document" in answer.text
