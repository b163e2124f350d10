"""A Postman collection of the demo API imported through the gateway and run with every real
part (services as processes, NATS, InfluxDB, PostgreSQL, k6, the demo API): the preview's test,
its secrets put back as the browser puts them, runs; the stored figures per step equal the
API's own counts, no request went out without a valid token, and the status checks read from
the collection's test scripts passed as often as the API answered their status."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mv_devstack.config import StackConfig
from mv_devstack.demo import Demo
from mv_devstack.services import services_running

pytestmark = pytest.mark.slow

POSTMAN = Path(__file__).parents[1] / "examples" / "demo-api" / "postman"
MASK = "••••••"


def files(demo_url: str) -> tuple[str, dict[str, str]]:
    """The committed collection and its environment, pointed at this run's demo API."""
    environment = json.loads((POSTMAN / "metric-vault-demo.postman_environment.json").read_text())
    for value in environment["values"]:
        if value["key"] == "baseUrl":
            value["value"] = demo_url
    return json.dumps(environment), {v["key"]: v["value"] for v in environment["values"]}


def put_back(test: dict[str, Any], secrets: list[dict[str, Any]], given: dict[str, str]) -> None:
    for secret in secrets:
        for place in secret["places"]:
            node = test
            for part in place["at"][:-1]:
                node = node[part]
            assert node[place["at"][-1]] == MASK
            value = place["template"]
            for name, text in given.items():
                value = value.replace("{{" + name + "}}", text)
            node[place["at"][-1]] = value


async def test_an_imported_postman_collection_runs_and_its_counts_are_the_apis(
    services_config: StackConfig,
) -> None:
    config = services_config
    collection = (POSTMAN / "metric-vault-demo.postman_collection.json").read_text()
    environment, values = files(config.demo_url)
    with services_running(config, demo=True):
        demo = Demo(config, echo=lambda _line: None, timeout=240)
        project = await asyncio.to_thread(demo.project)
        await asyncio.to_thread(demo.analyse, project)
        preview = await asyncio.to_thread(
            demo._call,
            "POST",
            f"/project/{project}/import/postman",
            json={"collection": collection, "environment": environment},
        )
        assert "vault-demo" not in json.dumps(preview)
        test = preview["test"]
        put_back(test, preview["secrets"], values)
        test["title"] = "포스트맨 가져오기"
        test["scenarios"] = [s for s in test["scenarios"] if s["name"] != "Catalogue"]
        for scenario in test["scenarios"]:  # the builder's load in place of one run
            scenario.update({"executor": "constant-vus", "vus": 2, "duration": "3s"})
            scenario.pop("iterations")
        created = await asyncio.to_thread(demo._call, "POST", "/load-testing", json=test)
        history_id = int(created["test_history_id"])
        details = await asyncio.to_thread(demo.summary, history_id)
        steps = await asyncio.to_thread(demo._call, "GET", f"/test-history/{history_id}/steps")
        async with httpx.AsyncClient(timeout=10) as client:
            stats = (await client.get(f"{config.demo_url}/vault/stats")).json()

    assert preview["base_url"] == config.demo_url
    assert [s["where"] for s in preview["not_carried"]] == [
        "Auth / Sign in",
        "Catalogue / Partner stock",
        "Catalogue / Order by form",
    ]
    answered: dict[str, int] = {}
    for line, count in stats["endpoints"].items():
        endpoint = line.rsplit(" ", 1)[0]
        answered[endpoint] = answered.get(endpoint, 0) + count
    vault = {s["name"]: s for s in steps["Vault"]["steps"]}
    assert list(vault) == ["login", "Create item", "Read item", "Rename item", "Delete item"]
    assert {name: s["requests"] for name, s in vault.items()} == {
        "login": answered["POST /auth/login"],
        "Create item": answered["POST /vault/items"],
        "Read item": answered["GET /vault/items/{item_id}"],
        "Rename item": answered["PUT /vault/items/{item_id}"],
        "Delete item": answered["DELETE /vault/items/{item_id}"],
    }
    catalogue = {s["name"]: s for s in steps["Catalogue / Products"]["steps"]}
    assert list(catalogue) == ["List products", "Read product"]
    assert (
        sum(s["requests"] for s in [*vault.values(), *catalogue.values()])
        == (details["figures"]["total_requests"])
    )
    assert vault["Create item"]["requests"] > 5
    assert all(s["failed"] == 0 for s in [*vault.values(), *catalogue.values()])
    assert stats["refused"] == {}  # every vault request carried a valid token
    assert len(stats["ids"]) == vault["Create item"]["requests"]
    for item_id, methods in stats["ids"].items():
        assert methods == {"POST": 1, "GET": 1, "PUT": 1, "DELETE": 1}, item_id
    checks = {c["name"]: (c["passes"], c["total"]) for c in steps["Vault"]["checks"]}
    assert checks == {
        "Create item: status in 201": (
            stats["endpoints"]["POST /vault/items 201"],
            answered["POST /vault/items"],
        ),
        "Delete item: status in 204": (
            stats["endpoints"]["DELETE /vault/items/{item_id} 204"],
            answered["DELETE /vault/items/{item_id}"],
        ),
    }
