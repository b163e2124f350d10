"""Trigger URLs and plan trends over HTTP on both backends: a plan started from outside with its
own token (shown once, idempotent per key, 401 once revoked or for another plan), and a plan's
key figures over its runs with the baseline and the regressions marked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.conftest import bearer
from gateway_tests.runs.test_load_testing_api import endpoints
from mv_gateway.auth import Role
from mv_gateway.auth.tables import AuditEntry
from mv_gateway.history.tables import TestAnalysis, TestHistory

from .test_schedules_api import new_plan

__all__ = ["endpoints"]  # a fixture used below


async def test_a_trigger_token_starts_its_plan_once_per_key_until_revoked(
    client: httpx.AsyncClient,
    endpoints: dict[str, int],
    tokens: dict[Role, str],
    session: AsyncSession,
) -> None:
    plan = await new_plan(client, endpoints, "after deploy")
    other = await new_plan(client, endpoints, "other")
    viewer = bearer(tokens[Role.VIEWER])
    refused = await client.post(f"/plans/{plan}/triggers", json={"name": "ci"}, headers=viewer)
    assert refused.status_code == 403
    made = await client.post(
        f"/plans/{plan}/triggers", json={"name": "deploy-prod"}, headers=bearer(tokens[Role.TESTER])
    )
    assert made.status_code == 201, made.text
    trigger = made.json()
    token, url = trigger["token"], trigger["url"]
    assert token.startswith("mvr_")
    assert url == f"/plans/{plan}/trigger"
    listed = (await client.get(f"/plans/{plan}/triggers", headers=viewer)).json()
    assert [t["name"] for t in listed] == ["deploy-prod"]
    assert "token" not in listed[0]
    assert token not in (await client.get(f"/plans/{plan}/triggers")).text

    anonymous = {"Authorization": f"Bearer {token}"}
    first = await client.post(url, headers={**anonymous, "Idempotency-Key": "deploy-41"})
    assert first.status_code == 202, first.text
    again = await client.post(url, headers={**anonymous, "Idempotency-Key": "deploy-41"})
    assert again.json()["test_id"] == first.json()["test_id"]
    next_deploy = await client.post(url, headers={**anonymous, "Idempotency-Key": "deploy-42"})
    assert next_deploy.json()["test_id"] != first.json()["test_id"]
    test = await session.scalar(
        select(TestHistory).where(TestHistory.test_id == first.json()["test_id"])
    )
    assert test is not None
    assert (test.started_by, test.plan_id) == ("trigger:deploy-prod", plan)
    audited = await session.scalars(
        select(AuditEntry.actor).where(AuditEntry.action == "start_test")
    )
    assert "trigger:deploy-prod" in list(audited)

    for headers in (
        {"Authorization": "Bearer mvr_forged"}, {},
        {"Authorization": f"Bearer {tokens[Role.ADMIN]}"},  # an API token is no trigger token
    ):  # fmt: skip
        assert (await client.post(url, headers=headers)).status_code == 401
    assert (await client.post(f"/plans/{other}/trigger", headers=anonymous)).status_code == 401

    revoked = await client.delete(f"/plans/{plan}/triggers/{trigger['id']}")
    assert revoked.status_code == 204
    after = await client.post(url, headers={**anonymous, "Idempotency-Key": "deploy-43"})
    assert after.status_code == 401
    shown = (await client.get(f"/plans/{plan}/triggers")).json()[0]
    assert shown["revoked_at"] is not None
    assert shown["last_used_at"] is not None


async def _run(
    session: AsyncSession, plan: int, project: int, at: datetime, **figures: Any
) -> TestHistory:
    test = TestHistory(
        test_id=f"trend-{plan}-{at.timestamp()}", project_id=project, title="t", status="succeeded",
        is_completed=True, tested_at=at, plan_id=plan, **figures,
    )  # fmt: skip
    session.add(test)
    await session.flush()
    return test


async def test_a_plan_trend_draws_its_baseline_and_marks_regressions(
    client: httpx.AsyncClient, endpoints: dict[str, int], session: AsyncSession
) -> None:
    project = endpoints["project"]
    plan = await new_plan(client, endpoints, "trend")
    start = datetime(2026, 12, 1, tzinfo=UTC)
    figures = [(200.0, 100.0, 0.0), (198.0, 104.0, 0.0), (150.0, 300.0, 0.05)]
    runs = [
        await _run(
            session,
            plan,
            project,
            start + timedelta(days=i),
            avg_tps=tps,
            p95_response_time=p95,
            avg_error_rate=errors,
        )
        for i, (tps, p95, errors) in enumerate(figures)
    ]
    worse = {"figure": "p95_response_time", "scenario": None, "baseline": 100.0,
             "current": 300.0, "change": 2.0, "p_value": 0.001, "judgement": "worse"}  # fmt: skip
    session.add(TestAnalysis(
        test_history_id=runs[2].id, baseline_test_history_id=runs[0].id,
        analysis={"findings": [], "baseline_test_id": runs[0].test_id,
                  "baseline_judgement": "worse", "comparisons": [worse]},
    ))  # fmt: skip
    await session.flush()

    trend = await client.get(f"/plans/{plan}/trend", params={"limit": 2})
    assert trend.status_code == 200, trend.text
    body = trend.json()
    assert body["figures"] == ["avg_tps", "p95_response_time", "avg_error_rate"]
    assert [r["test_history_id"] for r in body["runs"]] == [runs[1].id, runs[2].id]
    assert [(r["regression"], r["worse"]) for r in body["runs"]] == [
        (False, []), (True, ["p95_response_time"]),
    ]  # fmt: skip
    assert body["runs"][1]["p95_response_time"] == 300.0
    assert (body["baseline"]["test_history_id"], body["baseline"]["marked"]) == (runs[0].id, False)

    runs[1].is_baseline = True  # the project's marked baseline wins
    await session.flush()
    marked = (await client.get(f"/plans/{plan}/trend")).json()
    assert (marked["baseline"]["test_history_id"], marked["baseline"]["marked"]) == (
        runs[1].id, True,
    )  # fmt: skip
    assert len(marked["runs"]) == 3
    assert (await client.get("/plans/987654/trend")).status_code == 404
    assert (await client.get(f"/plans/{plan}/trend", params={"limit": 0})).status_code == 422
