"""The demo API. Its behaviour is deterministic so a load test of it gives known figures:
``/inventory`` fails every ``flaky_every``-th call, ``/reports/slow`` waits ``delay_ms``.

Three endpoints show what the analysis finds: ``/limited`` serves at most ``limited_slots``
requests at once (throughput saturates, response time grows with load), ``/leaky`` keeps
every call's payload and gets slower with each call (memory growth, drift at steady load),
and ``/bursty`` fails every call during seconds 10-15 of each 30 s from its first call (a
burst of errors). The ``vault`` endpoints need a sign-in (:mod:`.vault`)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Query, status
from pydantic import BaseModel, Field

from .vault import VAULT_TAG, vault_router

PRODUCTS_TAG = {"name": "상품", "description": "상품 목록과 상세 (products)"}
ORDERS_TAG = {"name": "주문", "description": "주문 생성과 조회 (orders)"}
OPS_TAG = {"name": "operations", "description": "Health, a slow report and a flaky check"}


class Product(BaseModel):
    id: int
    name: str = Field(examples=["무선 키보드"])
    price: int = Field(ge=0, description="Price in won", examples=[39000])


class OrderLine(BaseModel):
    product_id: int = Field(ge=1, examples=[1])
    quantity: int = Field(ge=1, le=100, examples=[2])


class OrderCreate(BaseModel):
    customer: str = Field(min_length=1, max_length=100, examples=["홍길동"])
    lines: list[OrderLine] = Field(min_length=1)
    memo: str | None = Field(default=None, max_length=500, examples=["문 앞에 놓아 주세요"])


class Order(OrderCreate):
    id: int
    total: int


BURST_CYCLE_SECONDS, BURST_FROM, BURST_UNTIL = 30, 10, 15


def create_app(
    flaky_every: int = 5,
    limited_slots: int = 4,
    clock: Callable[[], float] = time.monotonic,
    token_seconds: float = 60.0,
) -> FastAPI:
    catalogue = {
        1: Product(id=1, name="무선 키보드", price=39000),
        2: Product(id=2, name="USB-C 허브", price=25000),
        3: Product(id=3, name="모니터 받침대", price=18000),
    }
    orders: dict[int, Order] = {}
    order_ids = itertools.count(1)
    inventory_calls = itertools.count(1)

    products = APIRouter(prefix="/products", tags=[PRODUCTS_TAG["name"]])
    shop_orders = APIRouter(prefix="/orders", tags=[ORDERS_TAG["name"]])
    operations = APIRouter(tags=[OPS_TAG["name"]])

    @products.get("", summary="상품 목록")
    async def list_products() -> list[Product]:
        return list(catalogue.values())

    @products.get("/{product_id}", summary="상품 상세", responses={404: {}})
    async def get_product(product_id: int) -> Product:
        if product_id not in catalogue:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"product {product_id} not found")
        return catalogue[product_id]

    @shop_orders.post("", status_code=status.HTTP_201_CREATED, summary="주문 생성")
    async def create_order(body: OrderCreate) -> Order:
        unknown = [line.product_id for line in body.lines if line.product_id not in catalogue]
        if unknown:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, f"unknown products {unknown}")
        total = sum(catalogue[line.product_id].price * line.quantity for line in body.lines)
        order = Order(id=next(order_ids), total=total, **body.model_dump())
        orders[order.id] = order
        return order

    @shop_orders.get("/{order_id}", summary="주문 조회", responses={404: {}})
    async def get_order(order_id: int) -> Order:
        if order_id not in orders:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"order {order_id} not found")
        return orders[order_id]

    @operations.get("/health", summary="Liveness")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @operations.get("/reports/slow", summary="A report that takes a while")
    async def slow_report(
        delay_ms: Annotated[int, Query(ge=0, le=5000)] = 200,
    ) -> dict[str, int]:
        await asyncio.sleep(delay_ms / 1000)
        return {"delay_ms": delay_ms}

    @operations.get(
        "/inventory", summary="Stock check that fails now and then", responses={503: {}}
    )
    async def inventory() -> dict[str, int]:
        call = next(inventory_calls)
        if call % flaky_every == 0:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "inventory backend busy")
        return {"call": call, "in_stock": 42}

    slots = asyncio.Semaphore(limited_slots)
    kept: list[bytes] = []
    first_burst_call: list[float] = []

    @operations.get("/limited", summary="A service that serves a few requests at a time")
    async def limited() -> dict[str, int]:
        async with slots:  # 20 ms each, limited_slots at once: at most 50 * slots requests/s
            await asyncio.sleep(0.02)
        return {"slots": limited_slots}

    @operations.get("/leaky", summary="Keeps what it is sent and slows down as it grows")
    async def leaky() -> dict[str, int]:
        kept.append(b"x" * 10_000)
        await asyncio.sleep(min(len(kept) / 20_000, 0.2))  # +1 ms every 20 calls, up to 200
        return {"kept": len(kept)}

    @operations.get(
        "/bursty", summary="Fails for five seconds in every thirty", responses={500: {}}
    )
    async def bursty() -> dict[str, float]:
        now = clock()
        first_burst_call[:] = first_burst_call or [now]
        second = (now - first_burst_call[0]) % BURST_CYCLE_SECONDS
        if BURST_FROM <= second < BURST_UNTIL:
            raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "burst of failures")
        return {"second": round(second, 3)}

    app = FastAPI(
        title="데모 쇼핑 API",
        version="1.0.0",
        description="Metric Vault의 부하 테스트 데모용 API (a demo shop to load-test)",
        openapi_tags=[PRODUCTS_TAG, ORDERS_TAG, OPS_TAG, VAULT_TAG],
    )
    for router in (products, shop_orders, operations, vault_router(token_seconds, clock)):
        app.include_router(router)
    return app
