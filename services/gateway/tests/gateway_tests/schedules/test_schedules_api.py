"""Schedules over HTTP on both backends: set in a time zone with the next runs shown, paused
and resumed, refused clearly when they cannot be used, read by viewers, set only by testers."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.conftest import bearer
from gateway_tests.runs.test_load_testing_api import endpoints, original_body
from mv_gateway.auth import Role
from mv_gateway.auth.tables import AuditEntry

__all__ = ["endpoints"]  # a fixture used below


async def new_plan(client: httpx.AsyncClient, endpoints: dict[str, int], name: str) -> int:
    body = {"project_id": endpoints["project"], "name": name,
            "test": original_body(endpoints["login"])}  # fmt: skip
    created = await client.post("/plans", json=body)
    assert created.status_code == 201, created.text
    plan_id: int = created.json()["id"]
    return plan_id


async def test_a_schedule_runs_at_its_time_in_its_zone(
    client: httpx.AsyncClient, endpoints: dict[str, int], session: AsyncSession
) -> None:
    plan = await new_plan(client, endpoints, "매일 밤")
    assert (await client.get(f"/plans/{plan}/schedule")).status_code == 404
    set_ = await client.put(
        f"/plans/{plan}/schedule",
        json={"cron": "30 2 * * *", "timezone": "Asia/Seoul", "catch_up": "none"},
    )
    assert set_.status_code == 200, set_.text
    schedule = set_.json()
    assert schedule["description"].startswith("At 02:30")
    assert "Asia/Seoul" in schedule["description"]
    runs = [datetime.fromisoformat(r) for r in schedule["next_runs"]]
    assert len(runs) == 5
    assert all(r.astimezone(ZoneInfo("Asia/Seoul")).strftime("%H:%M") == "02:30" for r in runs)
    assert all((b - a).total_seconds() == 86400 for a, b in pairwise(runs))
    assert (schedule["catch_up"], schedule["skip_while_running"]) == ("none", True)
    assert schedule["set_by"] == "token:test admin"

    paused = (await client.post(f"/plans/{plan}/schedule/pause")).json()
    assert (paused["paused"], paused["next_runs"]) == (True, [])
    resumed = (await client.post(f"/plans/{plan}/schedule/resume")).json()
    assert not resumed["paused"]
    assert resumed["next_runs"] == schedule["next_runs"]

    hourly = await client.put(f"/plans/{plan}/schedule", json={"every_hours": 6})
    assert hourly.json()["description"] == "Every 6 hours"
    hours = [datetime.fromisoformat(r) for r in hourly.json()["next_runs"]]
    assert {(b - a).total_seconds() for a, b in pairwise(hours)} == {21600}

    listed = await client.get("/schedules", params={"project_id": endpoints["project"]})
    assert [(s["plan_id"], s["plan_name"]) for s in listed.json()] == [(plan, "매일 밤")]
    actions = await session.scalars(
        select(AuditEntry.action).where(AuditEntry.target == str(plan)).order_by(AuditEntry.id)
    )
    assert [a for a in actions if "schedule" in a] == [
        "set_schedule", "pause_schedule", "resume_schedule", "set_schedule",
    ]  # fmt: skip
    assert (await client.delete(f"/plans/{plan}/schedule")).status_code == 204
    assert (await client.get(f"/plans/{plan}/schedule")).status_code == 404


async def test_a_schedule_that_cannot_be_used_is_refused_by_field(
    client: httpx.AsyncClient, endpoints: dict[str, int]
) -> None:
    plan = await new_plan(client, endpoints, "bad")
    for body, field in (
        ({"cron": "61 * * * *"}, "cron"),
        ({"cron": "* * * *"}, "cron"),
        ({"cron": "0 0 30 2 *"}, "cron"),
        ({"cron": "0 2 * * *", "timezone": "Mars/Olympus"}, "timezone"),
        ({"cron": "0 2 * * *", "every_hours": 2}, "cron"),
        ({}, "cron"),
        ({"every_hours": 0}, "every_hours"),
        ({"every_hours": 2, "catch_up": "all"}, "catch_up"),
        ({"every_hours": 2, "extra": 1}, "extra"),
    ):
        answer = await client.put(f"/plans/{plan}/schedule", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert field in str(answer.json()["detail"]), (body, answer.text)
    assert (await client.put("/plans/987654/schedule", json={"every_hours": 1})).status_code == 404
    preview = await client.get(
        "/schedules/preview", params={"cron": "0 9 * * 1-5", "timezone": "Asia/Seoul"}
    )
    assert preview.status_code == 200
    assert preview.json()["description"].startswith("At 09:00")
    assert (await client.get("/schedules/preview", params={"cron": "x y"})).status_code == 422


async def test_viewers_see_schedules_and_testers_set_them(
    client: httpx.AsyncClient, endpoints: dict[str, int], tokens: dict[Role, str]
) -> None:
    plan = await new_plan(client, endpoints, "roles")
    viewer, tester = bearer(tokens[Role.VIEWER]), bearer(tokens[Role.TESTER])
    body = {"every_hours": 12}
    refused = await client.put(f"/plans/{plan}/schedule", json=body, headers=viewer)
    assert refused.status_code == 403
    set_ = await client.put(f"/plans/{plan}/schedule", json=body, headers=tester)
    assert set_.status_code == 200
    assert set_.json()["set_by"] == "token:test tester"
    assert (await client.get(f"/plans/{plan}/schedule", headers=viewer)).status_code == 200
    for action in ("pause", "resume"):
        answer = await client.post(f"/plans/{plan}/schedule/{action}", headers=viewer)
        assert answer.status_code == 403
    assert (await client.delete(f"/plans/{plan}/schedule", headers=viewer)).status_code == 403
