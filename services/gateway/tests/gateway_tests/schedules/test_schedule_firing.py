"""The scheduler on a real database of each backend, its clock driven by the test: each due
run starts once (two schedulers racing included) and says who started it; a run is skipped
while the previous one runs; runs missed while the gateway was down start once or not at all;
a refused run is recorded and the schedule goes on. The real task is proven end to end in
test_schedule_processes.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.nats import NatsBroker
from sqlalchemy import select, update

from gateway_tests.conftest import BACKENDS, committed_admin, database_url
from gateway_tests.edges.test_commit_before_answer import _endpoint
from mv_devstack.config import StackConfig
from mv_devstack.servers import PostgreSQL
from mv_gateway.app import create_app
from mv_gateway.auth.tables import AuditEntry
from mv_gateway.core.engine import make_engine, make_session_factory
from mv_gateway.core.migrate import upgrade
from mv_gateway.core.settings import Settings
from mv_gateway.history.tables import TestHistory
from mv_gateway.schedules import Fired, Scheduler
from mv_gateway.schedules.firing import scheduled_test_id
from mv_gateway.specs.tables import Endpoint, OpenApiSpec


@dataclass
class Scheduled:
    http: httpx.AsyncClient
    scheduler: Scheduler
    url: str
    project_id: int
    endpoint_id: int

    async def plan(self, name: str, **schedule: Any) -> tuple[int, datetime]:
        """A plan with a schedule; its id and its first due time."""
        scenario = {"name": "a", "endpoint_id": self.endpoint_id, "vus": 1, "duration": "1s"}
        test = {"title": name, "scenarios": [scenario]}
        body = {"project_id": self.project_id, "name": name, "test": test}
        made = await self.http.post("/plans", json=body)
        assert made.status_code == 201, made.text
        plan_id: int = made.json()["id"]
        set_ = await self.http.put(f"/plans/{plan_id}/schedule", json=schedule)
        assert set_.status_code == 200, set_.text
        return plan_id, datetime.fromisoformat(set_.json()["next_runs"][0])

    async def runs(self, plan_id: int) -> list[TestHistory]:
        engine = make_engine(self.url)
        async with make_session_factory(engine)() as session:
            found = await session.scalars(
                select(TestHistory).where(TestHistory.plan_id == plan_id).order_by(TestHistory.id)
            )
            rows = list(found.all())
        await engine.dispose()
        return rows


async def _gateway(url: str, stack: StackConfig) -> tuple[httpx.AsyncClient, Any, NatsBroker]:
    settings = Settings(database_url=url, nats_url=stack.nats_url, migrate_on_start=False,
                        schedule_late_seconds=120)  # fmt: skip
    broker = NatsBroker(stack.nats_url)
    app = create_app(settings, broker=broker)
    await broker.connect()
    engine = make_engine(url)
    headers = await committed_admin(engine)
    await engine.dispose()
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway", headers=headers
    )
    return http, app, broker


@pytest.fixture(params=BACKENDS)
async def scheduled(
    request: pytest.FixtureRequest, stack: StackConfig, postgres: PostgreSQL, tmp_path: Path
) -> AsyncIterator[Scheduled]:
    url = database_url(request.param, "mv_schedule_test", stack, postgres, tmp_path)
    engine = make_engine(url)
    await upgrade(engine)
    await engine.dispose()
    endpoint_id = await _endpoint(url)
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        project_id = await session.scalar(
            select(OpenApiSpec.project_id)
            .join(Endpoint, Endpoint.openapi_spec_id == OpenApiSpec.id)
            .where(Endpoint.id == endpoint_id)
        )
    await engine.dispose()
    assert project_id is not None
    http, app, broker = await _gateway(url, stack)
    try:
        yield Scheduled(http, app.state.scheduler, url, project_id, endpoint_id)
    finally:
        await http.aclose()
        await broker.stop()
        await app.state.engine.dispose()


def _outcomes(fired: list[Fired]) -> list[tuple[int, str]]:
    return [(f.plan_id, f.outcome) for f in fired]


async def test_each_due_run_starts_once_and_says_so(
    scheduled: Scheduled, stack: StackConfig
) -> None:
    plan, due = await scheduled.plan("nightly", cron="* * * * *", skip_while_running=False)
    assert await scheduled.scheduler.tick(due - timedelta(seconds=1)) == []
    assert _outcomes(await scheduled.scheduler.tick(due)) == [(plan, "started")]
    assert await scheduled.scheduler.tick(due + timedelta(seconds=5)) == []

    # A second gateway on the same database: both tick the next due run at once.
    http, app, broker = await _gateway(scheduled.url, stack)
    try:
        later = due + timedelta(minutes=1)
        both = await asyncio.gather(
            scheduled.scheduler.tick(later), app.state.scheduler.tick(later)
        )
        assert sorted(_outcomes(both[0] + both[1])) == [(plan, "started")]
    finally:
        await http.aclose()
        await broker.stop()
        await app.state.engine.dispose()

    runs = await scheduled.runs(plan)
    assert [r.test_id for r in runs] == [
        scheduled_test_id(r_id, at) for r_id, at in ((1, due), (1, due + timedelta(minutes=1)))
    ]
    assert {r.started_by for r in runs} == {"schedule:nightly"}
    schedule = (await scheduled.http.get(f"/plans/{plan}/schedule")).json()
    assert (schedule["last_outcome"], schedule["last_test_id"]) == ("started", runs[-1].test_id)
    engine = make_engine(scheduled.url)
    async with make_session_factory(engine)() as session:
        actors = await session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "start_test")
        )
        assert list(actors) == ["schedule:nightly", "schedule:nightly"]
    await engine.dispose()


async def test_no_run_starts_while_the_previous_one_runs(scheduled: Scheduled) -> None:
    plan, due = await scheduled.plan("one at a time", every_hours=1)
    assert _outcomes(await scheduled.scheduler.tick(due)) == [(plan, "started")]
    after = due + timedelta(hours=1)
    assert _outcomes(await scheduled.scheduler.tick(after)) == [(plan, "skipped")]
    schedule = (await scheduled.http.get(f"/plans/{plan}/schedule")).json()
    assert schedule["last_outcome"] == "skipped"
    assert "still running" in schedule["last_detail"]
    assert datetime.fromisoformat(schedule["next_runs"][0]) == due + timedelta(hours=2)
    assert len(await scheduled.runs(plan)) == 1


async def test_runs_missed_while_down_start_once_or_not_at_all(scheduled: Scheduled) -> None:
    one, due = await scheduled.plan("catch up", cron="*/5 * * * *", catch_up="one")
    none, due_none = await scheduled.plan("drop", cron="*/5 * * * *", catch_up="none")
    assert due == due_none
    back = due + timedelta(minutes=22)  # four runs of each fell while the gateway was down
    assert sorted(_outcomes(await scheduled.scheduler.tick(back))) == sorted(
        [(one, "started"), (none, "missed")]
    )
    assert await scheduled.scheduler.tick(back + timedelta(seconds=30)) == []
    assert len(await scheduled.runs(one)) == 1
    assert await scheduled.runs(none) == []
    for plan in (one, none):
        shown = (await scheduled.http.get(f"/plans/{plan}/schedule")).json()
        assert datetime.fromisoformat(shown["next_runs"][0]) == due + timedelta(minutes=25)


async def test_a_refused_run_is_recorded_and_the_schedule_goes_on(scheduled: Scheduled) -> None:
    plan, due = await scheduled.plan("gone", every_hours=1)
    engine = make_engine(scheduled.url)
    async with make_session_factory(engine)() as session, session.begin():
        await session.execute(
            update(Endpoint).where(Endpoint.id == scheduled.endpoint_id).values(removed=True)
        )
    await engine.dispose()
    assert _outcomes(await scheduled.scheduler.tick(due)) == [(plan, "refused")]
    shown = (await scheduled.http.get(f"/plans/{plan}/schedule")).json()
    assert shown["last_outcome"] == "refused"
    assert "endpoint" in shown["last_detail"]
    assert datetime.fromisoformat(shown["next_runs"][0]) == due + timedelta(hours=1)
    assert await scheduled.scheduler.tick(due + timedelta(minutes=1)) == []
