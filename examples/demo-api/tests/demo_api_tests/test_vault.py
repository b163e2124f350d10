"""The vault: tokens that expire, ids only a create reveals, unique skus, and its own counts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from mv_demo_api.app import create_app


@pytest.fixture
async def vault() -> AsyncIterator[tuple[httpx.AsyncClient, list[float]]]:
    now = [100.0]
    app = create_app(clock=lambda: now[0], token_seconds=30)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        yield client, now


async def _token(client: httpx.AsyncClient) -> dict[str, str]:
    answer = await client.post("/auth/login", json={"username": "demo", "password": "vault-demo"})
    assert answer.status_code == 200
    assert answer.json()["expires_in"] == 30
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_a_signed_in_item_lives_through_create_read_update_delete(
    vault: tuple[httpx.AsyncClient, list[float]],
) -> None:
    client, _ = vault
    auth = await _token(client)
    created = await client.post("/vault/items", json={"name": "키보드", "sku": "a"}, headers=auth)
    assert created.status_code == 201
    item_id = created.json()["id"]
    assert created.headers["Location"] == f"/vault/items/{item_id}"
    assert (await client.get(f"/vault/items/{item_id}", headers=auth)).json()["name"] == "키보드"
    updated = await client.put(f"/vault/items/{item_id}", json={"name": "허브"}, headers=auth)
    assert updated.json()["version"] == 2
    deleted = await client.delete(f"/vault/items/{item_id}", headers=auth)
    assert (deleted.status_code, deleted.headers["X-Deleted"]) == (204, item_id)
    assert (await client.get(f"/vault/items/{item_id}", headers=auth)).status_code == 404
    stats = (await client.get("/vault/stats")).json()
    assert stats["endpoints"] == {
        "POST /auth/login 200": 1,
        "POST /vault/items 201": 1,
        "GET /vault/items/{item_id} 200": 1,
        "PUT /vault/items/{item_id} 200": 1,
        "DELETE /vault/items/{item_id} 204": 1,
        "GET /vault/items/{item_id} 404": 1,
    }
    assert stats["ids"] == {item_id: {"POST": 1, "GET": 2, "PUT": 1, "DELETE": 1}}
    assert stats["tokens"] == 1
    assert stats["refused"] == {}


async def test_tokens_expire_and_are_needed(vault: tuple[httpx.AsyncClient, list[float]]) -> None:
    client, now = vault
    assert (await client.get("/vault/items/x")).status_code == 401
    bad = await client.post("/auth/login", json={"username": "demo", "password": "no"})
    assert bad.status_code == 401
    auth = await _token(client)
    assert (await client.get("/vault/items/x", headers=auth)).status_code == 404
    now[0] += 30
    assert (await client.get("/vault/items/x", headers=auth)).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (await client.get("/vault/items/x", headers=wrong)).status_code == 401
    stats = (await client.get("/vault/stats")).json()
    assert stats["refused"] == {"missing": 1, "expired": 1, "unknown": 1}


async def test_a_sku_is_taken_once(vault: tuple[httpx.AsyncClient, list[float]]) -> None:
    client, _ = vault
    auth = await _token(client)
    body = {"name": "키보드", "sku": "same"}
    assert (await client.post("/vault/items", json=body, headers=auth)).status_code == 201
    assert (await client.post("/vault/items", json=body, headers=auth)).status_code == 409


async def test_oauth2_client_credentials_give_a_token(
    vault: tuple[httpx.AsyncClient, list[float]],
) -> None:
    client, _ = vault
    form = {"grant_type": "client_credentials"}
    good = await client.post("/oauth/token", data=form, auth=("demo-client", "demo-client-secret"))
    assert good.status_code == 200
    auth = {"Authorization": f"Bearer {good.json()['access_token']}"}
    assert (await client.get("/vault/items/x", headers=auth)).status_code == 404
    bad = await client.post("/oauth/token", data=form, auth=("demo-client", "no"))
    assert bad.status_code == 401
