"""Test data through the gateway with every real part (services as processes, NATS, InfluxDB,
PostgreSQL, k6 split over two local runners, the demo API): a CSV uploaded to the project feeds
a signed-in journey in unique mode; the demo's vault records every sku it was sent. No row was
used twice over both runners, every row was used, and the test ended cleanly when the rows ran
out, the iterations left without a row sending nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from mv_devstack.config import StackConfig
from mv_devstack.demo import Demo
from mv_devstack.services import services_running

pytestmark = pytest.mark.slow

ROWS = 15
ITERATIONS = 24
SKUS = [f"데이터-{i:02d}" for i in range(ROWS)]
CSV = "sku,name\n" + "".join(f"{sku},상품 {i}\n" for i, sku in enumerate(SKUS))


def journey(ids: dict[str, int], file_id: int) -> dict[str, Any]:
    return {
        "title": "데이터 여정",
        "parallelism": 2,
        "scenarios": [
            {
                "name": "가입",
                "executor": "shared-iterations",
                "vus": 2,
                "iterations": ITERATIONS,
                "data": {"file_id": file_id, "mode": "unique"},
                "sign_in": {
                    "kind": "login",
                    "endpoint_id": ids["POST /auth/login"],
                    "body": {"username": "demo", "password": "vault-demo"},
                    "token": {"variable": "token", "source": "json", "expression": "access_token"},
                },
                "steps": [
                    {
                        "name": "create",
                        "endpoint_id": ids["POST /vault/items"],
                        "body": {"name": "{{name}}", "sku": "{{sku}}"},
                        "checks": [{"kind": "status_in", "statuses": [201]}],
                    }
                ],
            }
        ],
    }


async def test_unique_rows_of_an_uploaded_csv_are_used_once_over_two_runners(
    services_config: StackConfig,
) -> None:
    config = services_config
    with services_running(config, demo=True):
        demo = Demo(config, echo=lambda _line: None, timeout=240)
        project = await asyncio.to_thread(demo.project)
        spec_id = await asyncio.to_thread(demo.analyse, project)
        endpoints = await asyncio.to_thread(
            demo._call, "GET", "/endpoint", params={"spec_id": spec_id}
        )
        ids = {f"{e['method']} {e['path']}": e["id"] for e in endpoints}
        uploaded = await asyncio.to_thread(
            demo.http.post,
            "/data-files",
            params={"project_id": project, "name": "skus.csv"},
            content=CSV.encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert uploaded.status_code == 201, uploaded.text
        created = await asyncio.to_thread(
            demo._call, "POST", "/load-testing", json=journey(ids, uploaded.json()["id"])
        )
        history_id = int(created["test_history_id"])
        details = await asyncio.to_thread(demo.summary, history_id)
        steps = await asyncio.to_thread(demo._call, "GET", f"/test-history/{history_id}/steps")
        async with httpx.AsyncClient(timeout=10) as client:
            stats = (await client.get(f"{config.demo_url}/vault/stats")).json()

    assert details["status"] == "succeeded", details
    assert len(details["runners"]) == 2
    assert stats["skus"] == dict.fromkeys(SKUS, 1)  # each row once, none twice, all used
    assert stats["endpoints"]["POST /vault/items 201"] == ROWS
    stored = {s["name"]: s for s in steps["가입"]["steps"]}
    assert stored["create"]["requests"] == ROWS
    assert stored["create"]["failed"] == 0
