"""The scheduler task itself, in real gateway processes on the wall clock (a schedule every
minute): two gateways against one PostgreSQL start each due run once and the runs complete
(real test-runner, k6, InfluxDB); a gateway killed between two runs and started again still
starts the next one, once. Slow by nature: each waits for two minute marks."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gateway_tests.conftest import database_url
from gateway_tests.gateway_process import GatewayProcess, gateway_process
from gateway_tests.runs.test_load_testing_e2e import _api, stored_endpoint, test_runner
from mv_devstack.config import StackConfig
from mv_devstack.servers import PostgreSQL
from mv_gateway.core.engine import make_engine, make_session_factory
from mv_gateway.core.migrate import upgrade
from mv_gateway.history.tables import TestHistory

__all__ = ["test_runner"]  # a fixture used below

pytestmark = pytest.mark.slow
SCHEDULER = {"SCHEDULE_POLL_SECONDS": "1"}


async def _runs(url: str, plan_id: int) -> list[TestHistory]:
    engine = make_engine(url)
    try:
        async with make_session_factory(engine)() as session:
            found = await session.scalars(
                select(TestHistory).where(TestHistory.plan_id == plan_id).order_by(TestHistory.id)
            )
            return list(found.all())
    finally:
        await engine.dispose()


async def _scheduled_plan(
    gateway: GatewayProcess, project: int, endpoint: int, **extra: object
) -> int:
    test = {"title": "every minute", "metrics_mode": "precise", "scenarios": [
        {"name": "items", "endpoint_id": endpoint, "executor": "constant-vus", "vus": 1,
         "duration": "2s", "path_params": {"id": "1"}}]}  # fmt: skip
    async with httpx.AsyncClient(base_url=gateway.base, headers=gateway.headers) as http:
        made = await http.post("/plans", json={"project_id": project, "name": "m", "test": test})
        assert made.status_code == 201, made.text
        plan_id: int = made.json()["id"]
        body = {"cron": "* * * * *", **extra}
        assert (await http.put(f"/plans/{plan_id}/schedule", json=body)).status_code == 200
    return plan_id


async def _until(url: str, plan_id: int, count: int, completed: bool, seconds: float) -> None:
    for _ in range(int(seconds * 2)):
        runs = await _runs(url, plan_id)
        if len(runs) >= count and (not completed or all(r.is_completed for r in runs)):
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"{count} runs not there: {[(r.test_id, r.status) for r in runs]}")


def _started(logs: Sequence[Path]) -> int:
    lines = [line for log in logs for line in log.read_text().splitlines()]
    assert not [line for line in lines if "scheduler tick failed" in line]
    return sum("scheduled run started" in line for line in lines)


async def test_two_gateways_on_one_postgresql_start_each_run_once(
    stack: StackConfig, postgres: PostgreSQL, tmp_path: Path, test_runner: None
) -> None:
    url = database_url("postgresql", "mv_two_gateways", stack, postgres, tmp_path)
    engine = make_engine(url)
    await upgrade(engine)  # before either starts: they would both migrate at once
    api = await asyncio.start_server(_api, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{api.sockets[0].getsockname()[1]}"
    project, endpoint = await stored_endpoint(engine, "two", base, "GET", "/items/{id}")
    await engine.dispose()
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        folder.mkdir()
    settings = {"DATABASE_URL": url, "MIGRATE_ON_START": "false", **SCHEDULER}
    try:
        async with (
            gateway_process(stack, folders[0], **settings) as first,
            gateway_process(stack, folders[1], **settings),
        ):
            plan_id = await _scheduled_plan(first, project, endpoint)
            await _until(url, plan_id, 2, completed=True, seconds=200)
            runs = await _runs(url, plan_id)
            assert len(runs) in (2, 3)  # a third minute may have come while the runs finished
            assert _started([f / "gateway.log" for f in folders]) == len(runs)
            assert {r.started_by for r in runs} == {"schedule:m"}
            done = [r for r in runs if r.is_completed]
            assert len(done) >= 2
            assert {r.status for r in done} == {"succeeded"}, [r.status_reason for r in done]
    finally:
        api.close()


async def test_a_gateway_killed_between_two_runs_starts_the_next_once(
    stack: StackConfig, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    settings = {"DATABASE_URL": url, **SCHEDULER}
    folders = [tmp_path / "before", tmp_path / "after"]
    for folder in folders:
        folder.mkdir()
    async with gateway_process(stack, folders[0], **settings) as before:
        engine = make_engine(url)
        project, endpoint = await stored_endpoint(engine, "k", "http://127.0.0.1:9", "GET", "/x")
        await engine.dispose()
        # Nothing runs these tests: a run stays pending, so the schedule must not wait for it.
        plan_id = await _scheduled_plan(before, project, endpoint, skip_while_running=False)
        await _until(url, plan_id, 1, completed=False, seconds=75)
        # Killed once it has also logged the start: the log line follows the commit, and a kill
        # between the two lost it on a busy machine (the run itself was stored once).
        for _ in range(100):
            if _started([folders[0] / "gateway.log"]) == 1:
                break
            await asyncio.sleep(0.1)
        os.kill(before.pid, signal.SIGKILL)
    assert len(await _runs(url, plan_id)) == 1
    async with gateway_process(stack, folders[1], **settings):
        await _until(url, plan_id, 2, completed=False, seconds=75)
        await asyncio.sleep(3)  # ticks after the run: none may start it again
    runs = await _runs(url, plan_id)
    assert len(runs) == 2
    assert (runs[1].tested_at - runs[0].tested_at).total_seconds() > 30
    assert _started([f / "gateway.log" for f in folders]) == 2
