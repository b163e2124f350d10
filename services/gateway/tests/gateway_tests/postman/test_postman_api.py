"""POST /project/{id}/import/postman over HTTP, on both backends: the demo collection's preview
on the project's stored endpoints, secrets masked; once the browser puts them back the preview's
test starts as any test does; hostile uploads are 4xx naming the field."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.conftest import bearer
from gateway_tests.postman.collections import (
    DEMO_COLLECTION,
    DEMO_ENVIRONMENT,
    collection,
    request,
    with_secrets,
)
from gateway_tests.runs.test_load_testing_api import command_for, commands
from mv_contracts.runs import TestRunRequest
from mv_contracts.signin import LoginSignIn
from mv_gateway.auth import Role
from mv_gateway.postman.collection import MAX_FILE_BYTES
from mv_gateway.postman.routes import MAX_BODY_BYTES
from mv_gateway.projects.tables import Project
from mv_gateway.specs.tables import Endpoint, OpenApiSpec
from mv_runtime.sealing import Sealer, open_request

__all__ = ["commands"]  # a fixture used below
KEY = Fernet.generate_key().decode()
DEMO_PATHS = [
    ("POST", "/auth/login"),
    ("POST", "/vault/items"),
    ("GET", "/vault/items/{item_id}"),
    ("PUT", "/vault/items/{item_id}"),
    ("DELETE", "/vault/items/{item_id}"),
    ("GET", "/products"),
    ("GET", "/products/{product_id}"),
    ("POST", "/orders"),
]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"secrets_key": KEY}


@pytest.fixture
async def demo(session: AsyncSession) -> dict[str, int]:
    """A project whose spec is the demo API's (its endpoints by 'METHOD path')."""
    project = Project(title="데모")
    session.add(project)
    await session.flush()
    spec = OpenApiSpec(
        project_id=project.id, title="demo", version="1", base_url="http://127.0.0.1:8000"
    )
    session.add(spec)
    await session.flush()
    rows = {f"{m} {p}": Endpoint(openapi_spec_id=spec.id, method=m, path=p) for m, p in DEMO_PATHS}
    session.add_all(rows.values())
    await session.flush()
    return {"project": project.id, **{k: v.id for k, v in rows.items()}}


def _files() -> dict[str, str]:
    return {"collection": DEMO_COLLECTION.read_text(), "environment": DEMO_ENVIRONMENT.read_text()}


async def test_the_demo_collection_previews_and_its_test_starts_once_secrets_are_put_back(
    client: httpx.AsyncClient, demo: dict[str, int], commands: list[dict[str, Any]]
) -> None:
    answer = await client.post(f"/project/{demo['project']}/import/postman", json=_files())
    assert answer.status_code == 200, answer.text
    assert "vault-demo" not in answer.text
    preview = answer.json()
    test = preview["test"]
    vault = test["scenarios"][0]
    assert vault["sign_in"]["endpoint_id"] == demo["POST /auth/login"]
    assert [s["endpoint_id"] for s in vault["steps"]] == [
        demo["POST /vault/items"],
        demo["GET /vault/items/{item_id}"],
        demo["PUT /vault/items/{item_id}"],
        demo["DELETE /vault/items/{item_id}"],
    ]
    environment = {v["key"]: v["value"] for v in json.loads(_files()["environment"])["values"]}
    test = with_secrets(test, preview["secrets"], environment)
    test["scenarios"] = [vault]
    started = await client.post("/load-testing", json=test)
    assert started.status_code == 202, started.text
    command = await command_for(commands, started.json()["test_id"], "test.run.requested")
    assert "vault-demo" not in str(command)  # sealed on the bus
    sent = open_request(TestRunRequest.model_validate(command["payload"]), Sealer.of(KEY))
    sign_in = sent.scenarios[0].sign_in
    assert isinstance(sign_in, LoginSignIn)
    assert sign_in.endpoint.body == {"username": "demo", "password": "vault-demo"}
    assert [(s.endpoint.method, s.endpoint.path) for s in sent.scenarios[0].steps] == [
        ("POST", "/vault/items"),
        ("GET", "/vault/items/{item_id}"),
        ("PUT", "/vault/items/{item_id}"),
        ("DELETE", "/vault/items/{item_id}"),
    ]


@pytest.mark.parametrize(
    ("body", "loc", "reason"),
    [
        ({"collection": "{ nope"}, ["body", "collection"], "not JSON"),
        (
            {"collection": json.dumps({"info": {"name": "x", "schema": "v1"}})},
            ["body", "collection", "info", "schema"],
            "v2.1",
        ),
        ({"collection": "[" * 1000 + "]" * 1000}, ["body", "collection"], "nest deeper"),
        ({"collection": " " * (MAX_FILE_BYTES + 1)}, ["body", "collection"], "a file may hold"),
        ({"collection": collection([]), "environment": "{}}"}, ["body", "environment"], "not JSON"),
        ({"collection": collection([]), "extra": 1}, ["body", "extra"], "Extra inputs"),
        ({}, ["body", "collection"], "required"),
    ],
)
async def test_hostile_uploads_are_422_naming_the_field_and_why(
    client: httpx.AsyncClient,
    demo: dict[str, int],
    body: dict[str, Any],
    loc: list[Any],
    reason: str,
) -> None:
    answer = await client.post(f"/project/{demo['project']}/import/postman", json=body)
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["detail"]
    assert error["loc"] == loc
    assert reason in error["msg"]


async def test_too_large_unknown_project_and_roles(
    client: httpx.AsyncClient,
    anonymous: httpx.AsyncClient,
    tokens: dict[Role, str],
    demo: dict[str, int],
) -> None:
    url = f"/project/{demo['project']}/import/postman"
    small = {"collection": collection([request("r", "GET", "http://127.0.0.1:8000/products")])}
    huge = {"collection": "x" * MAX_BODY_BYTES}
    assert (await client.post(url, json=huge)).status_code == 413
    assert (await client.post("/project/999999/import/postman", json=small)).status_code == 404
    client.headers.pop("Authorization")
    assert (await anonymous.post(url, json=small)).status_code == 401
    viewer = await anonymous.post(url, json=small, headers=bearer(tokens[Role.VIEWER]))
    assert viewer.status_code == 403
    tester = await anonymous.post(url, json=small, headers=bearer(tokens[Role.TESTER]))
    assert tester.status_code == 200, tester.text
    assert tester.json()["test"]["scenarios"][0]["steps"][0]["endpoint_id"] == demo["GET /products"]
