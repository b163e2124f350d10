"""Plans over HTTP on both backends: a test saved under a name, changed, run again (the run
command going out on the real NATS server), and refused clearly when it cannot be."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.runs.test_load_testing_api import command_for, commands, endpoints, original_body

__all__ = ["commands", "endpoints"]  # fixtures used below


async def test_a_saved_plan_runs_again_as_saved(
    client: httpx.AsyncClient,
    endpoints: dict[str, int],
    commands: list[dict[str, Any]],
    session: AsyncSession,
) -> None:
    project = endpoints["project"]
    test = original_body(endpoints["login"])
    created = await client.post(
        "/plans", json={"project_id": project, "name": "매일 밤", "test": test}
    )
    assert created.status_code == 201, created.text
    plan = created.json()
    assert plan["test"]["scenarios"][0]["endpoint_id"] == endpoints["login"]
    assert plan["test"]["title"] == "Performance Test"

    listed = (await client.get("/plans", params={"project_id": project})).json()
    assert [p["name"] for p in listed] == ["매일 밤"]

    test["title"] = "Nightly"
    changed = await client.put(
        f"/plans/{plan['id']}", json={"project_id": project, "name": "매일 밤", "test": test}
    )
    assert changed.status_code == 200
    assert changed.json()["updated_at"] >= plan["updated_at"]

    started = await client.post(f"/plans/{plan['id']}/run")
    assert started.status_code == 202, started.text
    command = await command_for(commands, started.json()["test_id"], "test.run.requested")
    assert command["payload"]["title"] == "Nightly"
    assert command["payload"]["project_id"] == project
    details = await client.get(f"/test-history/{started.json()['test_history_id']}/details")
    assert details.json()["title"] == "Nightly"


async def test_plans_are_refused_clearly(
    client: httpx.AsyncClient, endpoints: dict[str, int]
) -> None:
    project = endpoints["project"]
    body: dict[str, Any] = {
        "project_id": project,
        "name": "twice",
        "test": original_body(endpoints["login"]),
    }
    assert (await client.post("/plans", json=body)).status_code == 201
    again = await client.post("/plans", json=body)
    assert again.status_code == 409
    assert "twice" in again.text
    bad = {**body, "name": "bad", "test": {**body["test"], "scenarios": []}}
    refused = await client.post("/plans", json=bad)
    assert refused.status_code == 422
    assert "scenarios" in refused.text
    missing = await client.post("/plans", json={**body, "project_id": 999999, "name": "x"})
    assert missing.status_code == 404
    assert (await client.post("/plans/999999/run")).status_code == 404
    # A plan whose endpoint is gone is refused when it is run, naming the field.
    gone = {**body, "name": "gone", "test": original_body(endpoints["gone"])}
    plan = (await client.post("/plans", json=gone)).json()
    run = await client.post(f"/plans/{plan['id']}/run")
    assert run.status_code == 422
    assert "endpoint" in run.text
    assert (await client.delete(f"/plans/{plan['id']}")).status_code == 204
    assert (await client.get(f"/plans/{plan['id']}")).status_code == 404
