"""Secrets in plans and runs, over HTTP on both backends: stored sealed (the rows read raw hold
none), answered masked (a viewer sees none), kept when the mask comes back, sealed in the run
command JetStream keeps, and every plan change audited."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from gateway_tests.conftest import bearer
from gateway_tests.runs.test_load_testing_api import command_for, commands, endpoints
from mv_contracts.runs import TestRunRequest
from mv_contracts.secrecy import SECRET_MASK
from mv_gateway.auth import Role
from mv_gateway.core.engine import make_session_factory
from mv_gateway.plans.sealing import opened
from mv_gateway.plans.service import seal_stored_plans
from mv_gateway.plans.tables import TestPlan
from mv_gateway.projects.tables import Project
from mv_runtime.sealing import Sealer, open_request

__all__ = ["commands", "endpoints"]  # fixtures used below

KEY = Fernet.generate_key().decode()
SECRETS = ("B34RER", "C00KIE", "AP1KEY", "SUB-S3CRET", "SIG-S3CRET", "Q-S3CRET", "P-S3CRET",
           "al1ce-pw", "T-S3CRET", "P1N-S3CRET")  # fmt: skip


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"secrets_key": KEY}


def secret_test(endpoint_id: int) -> dict[str, Any]:
    """Every kind of secret the probe found: named ones, marked ones, credentials in a URL."""
    return {
        "title": "로그인",
        "base_url": "http://alice:al1ce-pw@127.0.0.1:9/api",
        "headers": {"X-Signature": "SIG-S3CRET", "Accept": "application/json"},
        "scenarios": [
            {
                "name": "login",
                "endpoint_id": endpoint_id,
                "vus": 1,
                "duration": "1s",
                "headers": {
                    "Cookie": "sid=C00KIE",
                    "X-Api-Key": "AP1KEY",
                    "Ocp-Apim-Subscription-Key": "SUB-S3CRET",
                    "X-Trace": "T-S3CRET",
                },
                "query": {"api_key": "Q-S3CRET", "page": "1"},
                "body": {"user": {"name": "kim", "password": "P-S3CRET", "pin": "P1N-S3CRET"}},
                "secrets": {"headers": ["x-trace"], "body": ["user.pin"]},
            }
        ],
    }


def assert_none_of_the_secrets(found: str) -> None:
    for secret in SECRETS:
        assert secret not in found, secret


async def raw(session: AsyncSession, sql: str) -> str:
    """Rows read past the ORM, as the database holds them."""
    rows = (await session.execute(text(sql))).all()
    return json.dumps([[str(v) for v in row] for row in rows], ensure_ascii=False)


async def test_a_plan_keeps_its_secrets_sealed_and_shows_them_masked(
    client: httpx.AsyncClient,
    session: AsyncSession,
    endpoints: dict[str, int],
    tokens: dict[Role, str],
    commands: list[dict[str, Any]],
) -> None:
    project = endpoints["project"]
    test = secret_test(endpoints["login"])
    body = {"project_id": project, "name": "야간", "test": test}
    created = await client.post("/plans", json=body)
    assert created.status_code == 201, created.text
    plan = created.json()
    shown = plan["test"]
    assert_none_of_the_secrets(created.text)
    assert shown["base_url"] == "http://127.0.0.1:9/api"  # its credentials moved to a header
    assert shown["headers"] == {"X-Signature": SECRET_MASK, "Accept": "application/json",
                                "Authorization": SECRET_MASK}  # fmt: skip
    assert sorted(shown["secret_headers"]) == ["Authorization", "X-Signature"]
    scenario = shown["scenarios"][0]
    assert scenario["query"] == {"api_key": SECRET_MASK, "page": "1"}
    assert scenario["body"] == {"user": {"name": "kim", "password": SECRET_MASK,
                                         "pin": SECRET_MASK}}  # fmt: skip
    assert scenario["secrets"] == {
        "headers": ["Cookie", "X-Api-Key", "Ocp-Apim-Subscription-Key", "X-Trace"],
        "query": ["api_key"],
        "body": ["user.password", "user.pin"],
    }

    viewer = {"Authorization": bearer(tokens[Role.VIEWER])["Authorization"]}
    listed = await client.get("/plans", params={"project_id": project}, headers=viewer)
    assert listed.status_code == 200
    assert_none_of_the_secrets(listed.text)
    assert_none_of_the_secrets(await raw(session, "SELECT test FROM test_plan"))

    # Changed without re-typing the secrets: the masks keep what is stored; one is new.
    changed_test = json.loads(json.dumps(shown)) | {"title": "Nightly"}
    changed_test["scenarios"][0]["headers"]["X-Api-Key"] = "N3W-KEY"
    changed = await client.put(f"/plans/{plan['id']}", json={**body, "test": changed_test})
    assert changed.status_code == 200, changed.text
    assert "N3W-KEY" not in changed.text

    started = await client.post(f"/plans/{plan['id']}/run")
    assert started.status_code == 202, started.text
    test_id = started.json()["test_id"]
    command = await command_for(commands, test_id, "test.run.requested")
    assert_none_of_the_secrets(json.dumps(command))  # sealed, as JetStream keeps it
    request = open_request(TestRunRequest.model_validate(command["payload"]), Sealer.of(KEY))
    sent = request.scenarios[0].journey()[0].endpoint
    assert request.headers["Authorization"] == "Basic YWxpY2U6YWwxY2UtcHc="  # alice:al1ce-pw
    assert request.headers["X-Signature"] == "SIG-S3CRET"
    assert sent.headers["Cookie"] == "sid=C00KIE"
    assert sent.headers["X-Api-Key"] == "N3W-KEY"
    assert sent.query == {"api_key": "Q-S3CRET", "page": "1"}
    assert sent.body == {"user": {"name": "kim", "password": "P-S3CRET", "pin": "P1N-S3CRET"}}
    assert_none_of_the_secrets(await raw(session, "SELECT run_request FROM test_history"))
    assert_none_of_the_secrets(await raw(session, "SELECT envelope FROM outbox"))

    assert (await client.delete(f"/plans/{plan['id']}")).status_code == 204
    audit = (await client.get("/audit", params={"limit": 50})).json()
    # (other tests' plans committed to the same database have ids of their own)
    actions = [(e["action"], e["target"]) for e in audit if e["target"] == str(plan["id"])]
    assert sorted(actions) == sorted([("create_plan", str(plan["id"])),
                                      ("change_plan", str(plan["id"])),
                                      ("delete_plan", str(plan["id"]))])  # fmt: skip
    assert_none_of_the_secrets(json.dumps(audit))


async def test_secrets_are_refused_clearly(
    client: httpx.AsyncClient, endpoints: dict[str, int]
) -> None:
    project = endpoints["project"]
    test = secret_test(endpoints["login"])
    # A mask with no stored value behind it, in a new plan or a run.
    masked = json.loads(json.dumps(test))
    masked["scenarios"][0]["query"]["api_key"] = SECRET_MASK
    refused = await client.post("/plans", json={"project_id": project, "name": "m", "test": masked})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "test", "scenarios", 0, "query",
                                                  "api_key"]  # fmt: skip
    run = await client.post("/load-testing", json=masked)
    assert run.status_code == 422
    assert run.json()["detail"][0]["loc"] == ["body", "scenarios", 0, "query", "api_key"]
    # A mark that names nothing.
    wrong = json.loads(json.dumps(test))
    wrong["scenarios"][0]["secrets"] = {"body": ["user.nothing"]}
    refused = await client.post("/plans", json={"project_id": project, "name": "w", "test": wrong})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-2:] == ["secrets", "body"]
    assert_none_of_the_secrets(refused.text)


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_without_secrets_key_a_plan_keeps_no_secret(
    client: httpx.AsyncClient, endpoints: dict[str, int], session: AsyncSession
) -> None:
    test = secret_test(endpoints["login"])
    body = {"project_id": endpoints["project"], "name": "no key", "test": test}
    refused = await client.post("/plans", json=body)
    assert refused.status_code == 422
    assert "SECRETS_KEY" in refused.json()["detail"][0]["msg"]
    assert_none_of_the_secrets(refused.text)
    assert_none_of_the_secrets(await raw(session, "SELECT test FROM test_plan"))


async def test_plans_stored_before_sealing_are_sealed_at_start(engine: AsyncEngine) -> None:
    sessions = make_session_factory(engine)
    async with sessions() as session, session.begin():
        project = Project(title="legacy")
        session.add(project)
        await session.flush()
        test = secret_test(1) | {"base_url": None}
        test["headers"]["Authorization"] = "Bearer B34RER"
        del test["scenarios"][0]["secrets"]  # as plans were stored before marks
        row = TestPlan(project_id=project.id, name="old", test=test)
        session.add(row)
    try:
        sealer = Sealer.of(KEY)
        assert await seal_stored_plans(sessions, sealer) == 1
        assert await seal_stored_plans(sessions, sealer) == 0  # once
        async with sessions() as session:
            stored = await raw(session, f"SELECT test FROM test_plan WHERE id = {row.id}")  # noqa: S608
            assert_none_of_the_secrets(stored.replace("P1N-S3CRET", "").replace("T-S3CRET", ""))
            plan = await session.get(TestPlan, row.id)
            assert plan is not None
            back = opened(plan.test, sealer)
        assert back.headers["Authorization"] == "Bearer B34RER"
        assert back.model_dump()["scenarios"][0]["query"]["api_key"] == "Q-S3CRET"
    finally:
        async with sessions() as session, session.begin():
            await session.execute(delete(Project).where(Project.id == project.id))
