"""Journeys over HTTP: steps and a login name stored endpoints; the command carries them with
their request lines, the secrets sealed; a bad variable or an endpoint of another project is a
422 naming the field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.runs.test_load_testing_api import command_for, commands, endpoints
from mv_contracts.runs import TestRunRequest
from mv_contracts.secrecy import SECRET_MASK
from mv_gateway.projects.tables import Project
from mv_gateway.specs.tables import Endpoint, OpenApiSpec
from mv_runtime.sealing import Sealer, open_request

__all__ = ["commands", "endpoints"]  # fixtures used below

KEY = Fernet.generate_key().decode()


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"secrets_key": KEY}


def journey_test(ids: dict[str, int]) -> dict[str, Any]:
    return {
        "title": "여정",
        "scenarios": [
            {
                "name": "주문 여정",
                "vus": 1,
                "duration": "1s",
                "sign_in": {
                    "kind": "login",
                    "endpoint_id": ids["login"],
                    "body": {"username": "demo", "password": "PW-S3CRET"},
                    "token": {"variable": "token", "source": "json", "expression": "access_token"},
                },
                "steps": [
                    {
                        "name": "read",
                        "endpoint_id": ids["item"],
                        "path_params": {"id": "{{token}}"},
                        "extract": [{"variable": "etag", "source": "header", "expression": "ETag"}],
                        "checks": [{"kind": "status_in", "statuses": [200]}],
                    },
                    {
                        "name": "again",
                        "endpoint_id": ids["item"],
                        "path_params": {"id": "1"},
                        "headers": {"If-None-Match": "{{etag}}", "X-Api-Key": "K3Y-S3CRET"},
                    },
                ],
            }
        ],
    }


async def test_a_journey_runs_with_its_steps_and_login_sealed(
    client: httpx.AsyncClient, endpoints: dict[str, int], commands: list[dict[str, Any]]
) -> None:
    started = await client.post("/load-testing", json=journey_test(endpoints))
    assert started.status_code == 202, started.text
    test_id = started.json()["test_id"]
    command = await command_for(commands, test_id, "test.run.requested")
    assert "PW-S3CRET" not in str(command)
    assert "K3Y-S3CRET" not in str(command)
    request = open_request(TestRunRequest.model_validate(command["payload"]), Sealer.of(KEY))
    scenario = request.scenarios[0]
    assert scenario.endpoint is None
    assert [(s.name, s.endpoint.method, s.endpoint.path) for s in scenario.steps] == [
        ("read", "GET", "/items/{id}"),
        ("again", "GET", "/items/{id}"),
    ]
    assert scenario.steps[1].endpoint.headers["X-Api-Key"] == "K3Y-S3CRET"
    assert scenario.sign_in is not None
    assert scenario.sign_in.kind == "login"
    assert scenario.sign_in.endpoint.path == "/login"
    assert scenario.sign_in.endpoint.body == {"username": "demo", "password": "PW-S3CRET"}


async def test_a_plan_shows_a_journeys_secrets_masked(
    client: httpx.AsyncClient, endpoints: dict[str, int]
) -> None:
    test = journey_test(endpoints)
    test["scenarios"][0]["sign_in"] = {"kind": "bearer", "token": "B34RER-S3CRET"}
    body = {"project_id": endpoints["project"], "name": "여정", "test": test}
    created = await client.post("/plans", json=body)
    assert created.status_code == 201, created.text
    assert "B34RER" not in created.text
    assert "K3Y-S3CRET" not in created.text
    scenario = created.json()["test"]["scenarios"][0]
    assert scenario["sign_in"]["token"] == SECRET_MASK
    assert scenario["steps"][1]["headers"]["X-Api-Key"] == SECRET_MASK
    assert scenario["steps"][1]["headers"]["If-None-Match"] == "{{etag}}"


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (lambda s: s["steps"][1]["headers"].update({"X-Id": "{{nope}}"}), "", "'nope'"),
        (lambda s: s["steps"][0].update({"endpoint_id": 99999}), "steps", "not found"),
        (
            lambda s: s.update({"endpoint_id": s["steps"][0]["endpoint_id"]}),
            "endpoint_id",
            "or steps",
        ),
        (lambda s: s.update({"query": {"a": "1"}}), "steps", "its steps'"),
        (
            lambda s: s["steps"][0]["extract"][0].update({"expression": "(a"}),
            "extract",
            "header name",
        ),
        (lambda s: s["steps"][0].update({"checks": [{"kind": "x"}]}), "checks", "kind"),
    ],
)
async def test_bad_journeys_are_422_with_the_field(
    client: httpx.AsyncClient,
    endpoints: dict[str, int],
    change: Any,
    field: str,
    reason: str,
) -> None:
    test = journey_test(endpoints)
    change(test["scenarios"][0])
    answer = await client.post("/load-testing", json=test)
    assert answer.status_code == 422, answer.text
    assert reason in answer.text
    assert field in answer.text


async def test_a_step_of_another_project_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, endpoints: dict[str, int]
) -> None:
    other = Project(title="other")
    session.add(other)
    await session.flush()
    spec = OpenApiSpec(project_id=other.id, title="s", version="1", base_url="http://127.0.0.1:9")
    session.add(spec)
    await session.flush()
    foreign = Endpoint(openapi_spec_id=spec.id, method="GET", path="/x")
    session.add(foreign)
    await session.commit()
    test = journey_test(endpoints)
    test["scenarios"][0]["steps"][1]["endpoint_id"] = foreign.id
    answer = await client.post("/load-testing", json=test)
    assert answer.status_code == 422, answer.text
    assert "not in project" in answer.text
    assert "steps" in answer.text


async def test_an_oauth2_token_url_must_be_an_allowed_target(
    client: httpx.AsyncClient, endpoints: dict[str, int]
) -> None:
    test = journey_test(endpoints)
    oauth = {"kind": "oauth2_client_credentials", "client_id": "c", "client_secret": "S3CRET"}
    test["scenarios"][0]["sign_in"] = oauth | {"token_url": "http://203.0.113.9/token"}
    refused = await client.post("/load-testing", json=test)
    assert refused.status_code == 422, refused.text
    assert "203.0.113.9" in refused.text
    test["scenarios"][0]["sign_in"] = oauth | {"token_url": "http://127.0.0.1:9/token"}
    accepted = await client.post("/load-testing", json=test)
    assert accepted.status_code == 202, accepted.text
