"""The demo API behaves as its load tests expect, and describes itself in OpenAPI 3.1."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from mv_demo_api.app import create_app


@pytest.fixture
async def demo() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(flaky_every=3))
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        yield client


async def test_openapi_document_has_tags_korean_text_and_a_json_post(
    demo: httpx.AsyncClient,
) -> None:
    document = (await demo.get("/openapi.json")).json()
    assert document["info"]["title"] == "데모 쇼핑 API"
    assert [t["name"] for t in document["tags"]] == ["상품", "주문", "operations", "vault"]
    post = document["paths"]["/orders"]["post"]
    assert "application/json" in post["requestBody"]["content"]
    operations = sum(len(item) for item in document["paths"].values())
    assert operations == 16


async def test_an_order_keeps_korean_text_and_totals_prices(demo: httpx.AsyncClient) -> None:
    body = {"customer": "홍길동", "lines": [{"product_id": 1, "quantity": 2}], "memo": "빠른 배송"}
    created = await demo.post("/orders", json=body)
    assert created.status_code == 201
    order = created.json()
    assert (order["customer"], order["memo"], order["total"]) == ("홍길동", "빠른 배송", 78000)
    assert (await demo.get(f"/orders/{order['id']}")).json() == order
    assert (await demo.get("/orders/999")).status_code == 404


async def test_inventory_fails_every_nth_call(demo: httpx.AsyncClient) -> None:
    codes = [(await demo.get("/inventory")).status_code for _ in range(9)]
    assert codes == [200, 200, 503] * 3


async def test_slow_report_waits_and_refuses_silly_delays(demo: httpx.AsyncClient) -> None:
    assert (await demo.get("/reports/slow", params={"delay_ms": 10})).json() == {"delay_ms": 10}
    assert (await demo.get("/reports/slow", params={"delay_ms": 99999})).status_code == 422


async def test_limited_serves_a_few_at_a_time() -> None:
    transport = httpx.ASGITransport(app=create_app(limited_slots=2))
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        started = time.perf_counter()
        answers = await asyncio.gather(*(client.get("/limited") for _ in range(6)))
        elapsed = time.perf_counter() - started
    assert {a.status_code for a in answers} == {200}
    assert elapsed >= 0.06  # 6 calls through 2 slots of 20 ms: three rounds at least


async def test_leaky_keeps_every_call(demo: httpx.AsyncClient) -> None:
    kept = [(await demo.get("/leaky")).json()["kept"] for _ in range(3)]
    assert kept == [1, 2, 3]


async def test_bursty_fails_from_second_10_to_15_of_each_30() -> None:
    now = [1000.0]
    transport = httpx.ASGITransport(app=create_app(clock=lambda: now[0]))
    codes = []
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        for second in (0, 9.9, 10, 14.9, 15, 29, 40, 46):
            now[0] = 1000.0 + second
            codes.append((await client.get("/bursty")).status_code)
    assert codes == [200, 200, 500, 500, 200, 200, 500, 200]
