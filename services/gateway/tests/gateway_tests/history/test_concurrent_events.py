"""A short run's lifecycle events reach the gateway's consumers at once. On real PostgreSQL
(READ COMMITTED), the started event's transaction had read the test before the finished event
was stored and then wrote "running" over its end: the run stayed running for ever, its summary
beside it. Each handler now locks the test's row, so the second waits for the first."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway_tests.conftest import database_url
from gateway_tests.history_rows import add_project
from mv_contracts.lifecycle import (
    RunnerInfo,
    RunnerOutcome,
    RunStatus,
    TestFinished,
    TestFinishedEvent,
    TestStarted,
    TestStartedEvent,
)
from mv_devstack.config import StackConfig
from mv_devstack.servers import PostgreSQL
from mv_gateway.core.engine import make_engine, make_session_factory
from mv_gateway.core.migrate import upgrade
from mv_gateway.history.lifecycle import store_finished, store_started
from mv_gateway.history.records import TestRuns as Runs  # not a pytest class
from mv_gateway.history.runners import runner_states

RUNNERS = [RunnerInfo(index=i, name=f"k6-{i}", execution_segment=s)
           for i, s in ((1, "0:1/2"), (2, "1/2:1"))]  # fmt: skip


async def _waiting_on_a_lock(engine: AsyncEngine) -> bool:
    async with engine.connect() as connection:
        waiting = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    return bool(waiting)


async def _finish(sessions: async_sessionmaker[AsyncSession], event: TestFinishedEvent) -> None:
    async with sessions() as session, session.begin():
        await store_finished(session, event)


async def test_a_finished_event_stored_meanwhile_is_not_undone_by_the_started_one(
    stack: StackConfig, postgres: PostgreSQL, tmp_path: Path
) -> None:
    engine = make_engine(
        database_url("postgresql", "mv_concurrent_events", stack, postgres, tmp_path)
    )
    await upgrade(engine)
    sessions = make_session_factory(engine)
    test_id = str(uuid.uuid4())
    async with sessions() as session, session.begin():
        project = await add_project(session)
        await Runs(session).add(test_id, project.id, "short", None, None, [])
    now = datetime.now(UTC)
    started = TestStarted(test_id=test_id, executor="local", job_name="k6", script_name="s.js",
                          started_at=now, runners=RUNNERS)  # fmt: skip
    finished = TestFinished(
        test_id=test_id, status=RunStatus.SUCCEEDED, finished_at=now,
        runners=[RunnerOutcome(index=r.index, name=r.name, status=RunStatus.SUCCEEDED)
                 for r in RUNNERS],
    )  # fmt: skip

    try:
        async with sessions() as session, session.begin():
            await store_started(session, TestStartedEvent(correlation_id=test_id, payload=started))
            # The finished event's transaction, while the started one's is still open: it either
            # waits for the lock (fixed) or commits at once (the lost update).
            finishing = asyncio.create_task(
                _finish(sessions, TestFinishedEvent(correlation_id=test_id, payload=finished))
            )
            while not finishing.done() and not await _waiting_on_a_lock(engine):  # noqa: ASYNC110 - a query
                await asyncio.sleep(0.05)
        await finishing

        async with sessions() as session:
            test = await Runs(session).get(test_id)
            assert test is not None
            assert (test.status, test.is_completed) == ("succeeded", True)
            assert [r.status for r in runner_states(test)] == ["succeeded", "succeeded"]
    finally:
        await engine.dispose()
