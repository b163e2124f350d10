"""Deleting one test: admins only, not while it runs; its rows go and a command to drop its
points in InfluxDB is stored with the deletion (outbox), as with a deleted project's tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.conftest import bearer
from gateway_tests.history_rows import add_project, add_run
from mv_gateway.auth import Role
from mv_gateway.core.outbox import OutboxMessage
from mv_gateway.history.tables import TestHistory

WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def _purges(session: AsyncSession) -> list[list[str]]:
    rows = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == "mv.cmd.metrics.purge")
    )
    return [json.loads(r.envelope)["payload"]["test_ids"] for r in rows]


async def test_a_deleted_tests_points_are_purged_with_it(
    client: httpx.AsyncClient, session: AsyncSession, tokens: dict[Role, str]
) -> None:
    project = await add_project(session)
    done = await add_run(session, project, WHEN)
    running = await add_run(session, project, WHEN, completed=False)

    as_tester = await client.delete(f"/test-history/{done.id}", headers=bearer(tokens[Role.TESTER]))
    busy = await client.delete(f"/test-history/{running.id}")
    deleted = await client.delete(f"/test-history/{done.id}")
    again = await client.delete(f"/test-history/{done.id}")

    assert (as_tester.status_code, busy.status_code) == (403, 409)
    assert (deleted.status_code, again.status_code) == (204, 404)
    assert await session.get(TestHistory, done.id) is None
    assert await _purges(session) == [[done.test_id]]


async def test_a_deleted_projects_points_are_purged_with_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    project = await add_project(session)
    runs = [await add_run(session, project, WHEN) for _ in range(2)]
    assert (await client.delete(f"/project/{project.id}")).status_code == 204
    assert await _purges(session) == [[r.test_id for r in runs]]


async def test_storage_needs_the_aggregator_and_an_admin(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    tester = await client.get("/storage", headers=bearer(tokens[Role.TESTER]))
    nobody = await client.get("/storage")  # no metrics-aggregator answers in these tests
    assert tester.status_code == 403
    assert nobody.status_code == 503
    assert "metrics-aggregator" in nobody.json()["detail"]
