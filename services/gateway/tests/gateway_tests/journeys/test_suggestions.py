"""Suggested next steps: the document's links first, then POST → /{id} pairs; and the route that
lists them for a project, with the security schemes and links each endpoint carries."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.journeys import Extraction
from mv_gateway.projects.tables import Project
from mv_gateway.specs.schemas import EndpointRead
from mv_gateway.specs.suggestions import StepSuggestion, suggestions, variable_for
from mv_gateway.specs.tables import Endpoint, OpenApiSpec

_ids = iter(range(1, 1000))


def endpoint(method: str, path: str, spec_id: int = 1, **details: Any) -> EndpointRead:
    return EndpointRead(
        id=next(_ids), spec_id=spec_id, method=method, path=path,
        operation_id=details.pop("op", None), summary=None, description=None, deprecated=False,
        removed=details.pop("removed", False), tags=[], parameters=details.pop("parameters", []),
        request_body=None, security=[], **details,
    )  # fmt: skip


def test_a_post_answering_id_is_followed_by_its_item_routes() -> None:
    create = endpoint("POST", "/items/", response_fields=["id", "name"])
    read = endpoint("GET", "/items/{item_id}")
    update = endpoint("PUT", "/items/{item_id}")
    endpoint_list = [
        create,
        read,
        update,
        endpoint("POST", "/items/{item_id}"),  # a POST is not a follower
        endpoint("GET", "/items/{item_id}/parts"),  # deeper: not the item itself
        endpoint("GET", "/items/{item_id}", spec_id=2),  # another spec
        endpoint("DELETE", "/items/{item_id}", removed=True),
        endpoint("POST", "/orders", response_fields=["number"]),  # no id
        endpoint("GET", "/orders/{id}"),
    ]
    found = suggestions(endpoint_list)
    assert [(s.from_endpoint_id, s.to_endpoint_id, s.kind) for s in found] == [
        (create.id, read.id, "pair"),
        (create.id, update.id, "pair"),
    ]
    assert found[0].extract == [Extraction(variable="item_id", source="json", expression="id")]
    assert found[0].path_params == {"item_id": "{{item_id}}"}


def test_links_name_their_operation_and_carry_body_and_header_values() -> None:
    read = endpoint(
        "GET", "/things/{thing-id}", op="readThing",
        parameters=[{"name": "thing-id", "location": "path"}, {"name": "v", "location": "query"}],
    )  # fmt: skip
    audit = endpoint("GET", "/audit/{a}")
    links = [
        {"name": "read", "operation_id": "readThing",
         "parameters": {"thing-id": "$response.body#/data/0/id", "v": "$response.header.ETag"}},
        {"name": "audit", "operation_ref": "#/paths/~1audit~1{a}/get",
         "parameters": {"path.a": "$response.body#/audit"}},
        {"name": "self", "operation_id": "readThing",
         "parameters": {"thing-id": "$request.path.x"}},
        {"name": "nowhere", "operation_id": "missing", "parameters": {"x": "$response.body#/x"}},
    ]  # fmt: skip
    create = endpoint("POST", "/things", links=links, response_fields=["id"])
    found = suggestions([create, read, audit, endpoint("GET", "/things/{id}")])
    assert [(s.name, s.to_endpoint_id, s.kind) for s in found] == [
        ("read", read.id, "link"),
        ("audit", audit.id, "link"),
        ("id", found[2].to_endpoint_id, "pair"),  # /things/{id}: no link reaches it
    ]
    first = found[0]
    assert first.extract == [
        Extraction(variable="thing_id", source="json", expression="data.0.id"),
        Extraction(variable="v", source="header", expression="ETag"),
    ]
    assert first.path_params == {"thing-id": "{{thing_id}}"}
    assert first.query == {"v": "{{v}}"}
    assert found[1].path_params == {"a": "{{a}}"}


def test_a_link_to_an_endpoint_hides_the_pair_to_it() -> None:
    read = endpoint("GET", "/items/{id}", op="read")
    links = [{"name": "byId", "operation_id": "read", "parameters": {"id": "$response.body#/id"}}]
    create = endpoint("POST", "/items", links=links, response_fields=["id"])
    assert [s.kind for s in suggestions([create, read])] == ["link"]


def test_variable_names_from_any_parameter_name() -> None:
    assert variable_for("item-id") == "item_id"
    assert variable_for("1st") == "v_1st"
    assert variable_for("---") == "value"


async def test_the_route_lists_a_projects_suggestions(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project = Project(title="보관함")
    session.add(project)
    await session.flush()
    spec = OpenApiSpec(project_id=project.id, title="s", version="1")
    session.add(spec)
    await session.flush()
    scheme = {"type": "http", "scheme": "bearer"}
    create = Endpoint(
        openapi_spec_id=spec.id, method="POST", path="/vault/items",
        details={"response_fields": ["id", "sku"], "security": [{"b": []}],
                 "security_schemes": {"b": scheme}},
    )  # fmt: skip
    read = Endpoint(openapi_spec_id=spec.id, method="GET", path="/vault/items/{item_id}")
    session.add_all([create, read])
    await session.flush()

    answer = await client.get("/endpoint/suggestions", params={"project_id": project.id})
    assert answer.status_code == 200, answer.text
    [only] = [StepSuggestion.model_validate(s) for s in answer.json()]
    assert (only.from_endpoint_id, only.to_endpoint_id) == (create.id, read.id)
    listed = (await client.get("/endpoint", params={"project_id": project.id})).json()
    assert listed[0]["security_schemes"]["b"]["scheme"] == "bearer"
    assert listed[0]["response_fields"] == ["id", "sku"]
    assert listed[1]["links"] == []
    assert listed[1]["security_schemes"] == {}

    unnamed = await client.get("/endpoint/suggestions")
    assert unnamed.status_code == 422
    assert unnamed.json()["detail"][0]["loc"] == ["query", "project_id"]
