"""The OAuth2 password sign-in's two secrets, the password and the client secret: stored sealed,
answered masked, kept when the masks come back, sealed in the run command; a public client's
missing secret stays missing; its token URL must be an allowed target."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.auth.test_secret_fields_api import KEY, raw
from gateway_tests.runs.test_load_testing_api import command_for, commands, endpoints
from mv_contracts.runs import TestRunRequest
from mv_contracts.secrecy import SECRET_MASK
from mv_contracts.signin import OAuth2PasswordSignIn
from mv_runtime.sealing import Sealer, open_request

__all__ = ["commands", "endpoints"]  # fixtures used below

PASSWORD, CLIENT_SECRET = "PASSW0RD-S3CRET", "CL1ENT-S3CRET"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"secrets_key": KEY}


def password_test(endpoint_id: int, **sign_in: Any) -> dict[str, Any]:
    grant = {"kind": "oauth2_password", "token_url": "http://127.0.0.1:9/token",
             "username": "kim", "password": PASSWORD, "client_id": "shop",
             "client_secret": CLIENT_SECRET, "scope": "read"}  # fmt: skip
    scenario = {"name": "s", "endpoint_id": endpoint_id, "vus": 1, "duration": "1s",
                "sign_in": grant | sign_in}  # fmt: skip
    return {"title": "password", "base_url": "http://127.0.0.1:9", "scenarios": [scenario]}


def _assert_no_secret(found: str) -> None:
    assert PASSWORD not in found
    assert CLIENT_SECRET not in found


async def test_both_secrets_are_sealed_masked_and_kept(
    client: httpx.AsyncClient,
    session: AsyncSession,
    endpoints: dict[str, int],
    commands: list[dict[str, Any]],
) -> None:
    body = {
        "project_id": endpoints["project"],
        "name": "pw",
        "test": password_test(endpoints["login"]),
    }
    created = await client.post("/plans", json=body)
    assert created.status_code == 201, created.text
    _assert_no_secret(created.text)
    shown = created.json()["test"]
    sign_in = shown["scenarios"][0]["sign_in"]
    assert sign_in["password"] == SECRET_MASK
    assert sign_in["client_secret"] == SECRET_MASK
    assert (sign_in["username"], sign_in["client_id"]) == ("kim", "shop")
    _assert_no_secret(await raw(session, "SELECT test FROM test_plan"))

    # Sent back masked: the stored values are kept.
    changed = await client.put(f"/plans/{created.json()['id']}", json={**body, "test": shown})
    assert changed.status_code == 200, changed.text
    started = await client.post(f"/plans/{created.json()['id']}/run")
    assert started.status_code == 202, started.text
    command = await command_for(commands, started.json()["test_id"], "test.run.requested")
    _assert_no_secret(json.dumps(command))
    request = open_request(TestRunRequest.model_validate(command["payload"]), Sealer.of(KEY))
    opened = request.scenarios[0].sign_in
    assert isinstance(opened, OAuth2PasswordSignIn)
    assert (opened.password, opened.client_secret) == (PASSWORD, CLIENT_SECRET)
    _assert_no_secret(await raw(session, "SELECT run_request FROM test_history"))
    _assert_no_secret(await raw(session, "SELECT envelope FROM outbox"))


async def test_a_public_client_and_the_token_url(
    client: httpx.AsyncClient, endpoints: dict[str, int], commands: list[dict[str, Any]]
) -> None:
    public = password_test(endpoints["login"], client_secret=None)
    started = await client.post("/load-testing", json=public)
    assert started.status_code == 202, started.text
    command = await command_for(commands, started.json()["test_id"], "test.run.requested")
    request = open_request(TestRunRequest.model_validate(command["payload"]), Sealer.of(KEY))
    opened = request.scenarios[0].sign_in
    assert isinstance(opened, OAuth2PasswordSignIn)
    assert (opened.password, opened.client_secret) == (PASSWORD, None)

    far = password_test(endpoints["login"], token_url="http://203.0.113.9/token")
    refused = await client.post("/load-testing", json=far)
    assert refused.status_code == 422, refused.text
    assert "203.0.113.9" in refused.text
    masked = password_test(endpoints["login"], password=SECRET_MASK)
    refused = await client.post("/load-testing", json=masked)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"][-2:] == ["sign_in", "password"]
