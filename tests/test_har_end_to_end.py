"""A HAR recorded by Chromium against the demo API, imported and run with every real part
(services as processes, NATS, InfluxDB, PostgreSQL, k6, the demo API): the preview's journey
(sign in, create, read, update, delete, each step matched to the analysed spec's endpoints) runs
as it came, with two edits a user makes in the builder — the password the preview does not echo,
and a unique sku (the demo refuses a second item with the recorded one). The login's token and
the created item's id travel by the suggested extractions: no request went out without a valid
token, every created item was read, updated and deleted once, and the stored figures per step
equal the demo's own counts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from mv_devstack.config import StackConfig
from mv_devstack.demo import Demo
from mv_devstack.services import services_running

pytestmark = pytest.mark.slow

HAR = Path(__file__).parents[1] / "services/gateway/tests/gateway_tests/har/data/demo.har"
STEPS = [
    "GET /products",
    "POST /auth/login",
    "POST /vault/items",
    "GET /vault/items/{item_id}",
    "PUT /vault/items/{item_id}",
    "DELETE /vault/items/{item_id}",
]


def edited(preview: dict[str, Any]) -> list[dict[str, Any]]:
    """The preview's steps with what the user gives in the builder."""
    steps = [s["step"] for s in preview["steps"]]
    assert preview["secrets_to_fill"] == [{"step": "POST /auth/login", "field": "body.password"}]
    by_name = {s["name"]: s for s in steps}
    by_name["POST /auth/login"]["body"]["password"] = "vault-demo"  # the demo user's
    by_name["POST /vault/items"]["body"]["sku"] = "{{$test}}-{{$vu}}-{{$iteration}}"
    return steps


async def test_an_imported_har_runs_with_its_token_and_id_correlation(
    services_config: StackConfig,
) -> None:
    config = services_config
    with services_running(config, demo=True):
        demo = Demo(config, echo=lambda _line: None, timeout=240)
        project_id = await asyncio.to_thread(demo.project)
        await asyncio.to_thread(demo.analyse, project_id)
        preview = await asyncio.to_thread(
            demo._call,
            "POST",
            f"/project/{project_id}/import/har",
            content=HAR.read_bytes(),
            headers={"Content-Type": "application/octet-stream"},
        )
        assert [s["step"]["name"] for s in preview["steps"]] == list(STEPS)
        assert {c["variable"] for c in preview["correlations"]} == {"access_token", "id"}
        created = await asyncio.to_thread(
            demo._call,
            "POST",
            "/load-testing",
            json={
                "title": "HAR 여정",
                "project_id": project_id,
                "base_url": config.demo_url,  # the recording's host was another port
                "scenarios": [
                    {"name": "har", "vus": 3, "duration": "4s", "steps": edited(preview)}
                ],
            },
        )
        history_id = int(created["test_history_id"])
        details = await asyncio.to_thread(demo.summary, history_id)
        steps = await asyncio.to_thread(demo._call, "GET", f"/test-history/{history_id}/steps")
        async with httpx.AsyncClient(timeout=10) as client:
            stats = (await client.get(f"{config.demo_url}/vault/stats")).json()

    answered: dict[str, int] = {}
    for line, count in stats["endpoints"].items():
        endpoint = line.rsplit(" ", 1)[0]
        answered[endpoint] = answered.get(endpoint, 0) + count
    stored = {s["name"]: s for s in steps["har"]["steps"]}
    assert list(stored) == list(STEPS)
    vault = [name for name in STEPS if name != "GET /products"]
    assert {name: stored[name]["requests"] for name in vault} == {n: answered[n] for n in vault}
    assert sum(s["requests"] for s in stored.values()) == details["figures"]["total_requests"]
    assert stored["POST /vault/items"]["requests"] >= 3
    assert all(s["failed"] == 0 for s in stored.values())
    assert stats["refused"] == {}  # every request carried the token its login answered
    assert len(stats["ids"]) == stored["POST /vault/items"]["requests"]
    for item_id, methods in stats["ids"].items():
        assert methods == {"GET": 1, "PUT": 1, "DELETE": 1, "POST": 1}, item_id
    # The recorded statuses became checks, and each passed.
    checks = {c["name"]: (c["passes"], c["total"]) for c in steps["har"]["checks"]}
    assert checks["POST /vault/items: status in 201"] == (answered["POST /vault/items"],) * 2
    assert checks["DELETE /vault/items/{item_id}: status in 204"][0] == len(stats["ids"])
