"""A signed-in journey through the gateway with every real part (services and receiver as
processes, NATS, InfluxDB, PostgreSQL, k6, the demo API): login → create → read → update →
delete of the demo's vault, which counts per endpoint, token and id. In both metrics modes the
stored figures per step equal the API's own counts, no request went out with a missing or
expired token, every created item was read back, and each check passed as often as the API
answered what it checks."""

from __future__ import annotations

import asyncio
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest

from mv_devstack.config import StackConfig
from mv_devstack.demo import Demo
from mv_devstack.services import services_running

pytestmark = pytest.mark.slow


def journey(ids: dict[str, int], mode: str) -> dict[str, Any]:
    item = {"item_id": "{{item_id}}"}
    return {
        "title": "금고 여정",
        "metrics_mode": mode,
        "scenarios": [
            {
                "name": "금고",
                "vus": 3,
                "duration": "4s",
                "check_target": 0.99,
                "sign_in": {
                    "kind": "login",
                    "endpoint_id": ids["POST /auth/login"],
                    "body": {"username": "demo", "password": "vault-demo"},
                    "token": {"variable": "token", "source": "json", "expression": "access_token"},
                    "refresh_seconds": 1,
                },
                "steps": [
                    {
                        "name": "create",
                        "endpoint_id": ids["POST /vault/items"],
                        "body": {"name": "키보드", "sku": "{{$test}}-{{$vu}}-{{$iteration}}"},
                        "extract": [{"variable": "item_id", "source": "json", "expression": "id"}],
                        "checks": [{"kind": "status_in", "statuses": [201]}],
                    },
                    {
                        "name": "read",
                        "endpoint_id": ids["GET /vault/items/{item_id}"],
                        "path_params": item,
                        "checks": [{"kind": "json_equals", "path": "name", "value": "키보드"}],
                    },
                    {
                        "name": "update",
                        "endpoint_id": ids["PUT /vault/items/{item_id}"],
                        "path_params": item,
                        "body": {"name": "허브"},
                    },
                    {
                        "name": "delete",
                        "endpoint_id": ids["DELETE /vault/items/{item_id}"],
                        "path_params": item,
                        "checks": [{"kind": "status_in", "statuses": [204]}],
                    },
                ],
            }
        ],
    }


@pytest.mark.parametrize("mode", ["fast", "precise"])
async def test_a_signed_in_journey_stores_per_step_figures_equal_to_the_apis_counts(
    services_config: StackConfig, mode: str
) -> None:
    config = services_config
    with services_running(config, demo=True):
        demo = Demo(config, echo=lambda _line: None, timeout=240)
        spec_id = await asyncio.to_thread(demo.analyse, await asyncio.to_thread(demo.project))
        endpoints = await asyncio.to_thread(
            demo._call, "GET", "/endpoint", params={"spec_id": spec_id}
        )
        ids = {f"{e['method']} {e['path']}": e["id"] for e in endpoints}
        created = await asyncio.to_thread(
            demo._call, "POST", "/load-testing", json=journey(ids, mode)
        )
        history_id = int(created["test_history_id"])
        details = await asyncio.to_thread(demo.summary, history_id)
        steps = await asyncio.to_thread(demo._call, "GET", f"/test-history/{history_id}/steps")
        async with httpx.AsyncClient(timeout=10) as client:
            stats = (await client.get(f"{config.demo_url}/vault/stats")).json()
            junit = f"{config.gateway_url}/test-history/{history_id}/report.junit.xml"
            for _ in range(120):  # the report waits for the run's analysis
                report = await client.get(junit, headers=config.admin_headers())
                if report.status_code != 404:
                    break
                await asyncio.sleep(0.5)
            assert report.status_code == 200, report.text

    assert details["metrics_mode"] == mode
    answered: dict[str, int] = {}
    for line, count in stats["endpoints"].items():
        endpoint = line.rsplit(" ", 1)[0]
        answered[endpoint] = answered.get(endpoint, 0) + count
    stored = {s["name"]: s for s in steps["금고"]["steps"]}
    assert list(stored) == ["login", "create", "read", "update", "delete"]
    assert {name: s["requests"] for name, s in stored.items()} == {
        "login": answered["POST /auth/login"],
        "create": answered["POST /vault/items"],
        "read": answered["GET /vault/items/{item_id}"],
        "update": answered["PUT /vault/items/{item_id}"],
        "delete": answered["DELETE /vault/items/{item_id}"],
    }
    assert sum(s["requests"] for s in stored.values()) == details["figures"]["total_requests"]
    assert stored["create"]["requests"] > 10
    assert all(s["failed"] == 0 for s in stored.values())
    assert stats["refused"] == {}  # no request without a token or with an expired one
    assert len(stats["ids"]) == stored["create"]["requests"]
    for item_id, methods in stats["ids"].items():
        assert methods == {"POST": 1, "GET": 1, "PUT": 1, "DELETE": 1}, item_id
    # The JUnit report has a testcase per step with the same count.
    suite = ET.fromstring(report.text)  # noqa: S314 -- the gateway's own output
    outputs = {c.get("name"): c.findtext("system-out", "") for c in suite.iter("testcase")}
    for name, step in stored.items():
        said = outputs[f"scenario 금고, step {name}"]
        assert said.startswith(f"{step['requests']:,} requests, 0 failed"), said
    # Each check passed exactly as often as the API answered what it checks.
    checks = {c["name"]: (c["passes"], c["total"]) for c in steps["금고"]["checks"]}
    assert checks == {
        "create: status in 201": (
            stats["endpoints"]["POST /vault/items 201"],
            answered["POST /vault/items"],
        ),
        "read: name equals '키보드'": (answered["GET /vault/items/{item_id}"],) * 2,
        "delete: status in 204": (
            stats["endpoints"]["DELETE /vault/items/{item_id} 204"],
            answered["DELETE /vault/items/{item_id}"],
        ),
    }
