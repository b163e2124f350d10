"""Repositories on real SQLite and real PostgreSQL: the same tests on both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from mv_contracts.envelope import Envelope
from mv_gateway.core.database import Base
from mv_gateway.core.engine import make_session_factory
from mv_gateway.core.once import ProcessedMessage, ProcessedMessages, apply_once
from mv_gateway.history.tables import (
    ScenarioHistory,
    StageHistory,
    TestHistory,
    TestResourceTimeseries,
)
from mv_gateway.projects.repository import ProjectRepository
from mv_gateway.projects.tables import Project
from mv_gateway.specs.tables import Endpoint, OpenApiSpec, Tag, tag_endpoint


async def _project_with_everything(session: AsyncSession) -> Project:
    project = await ProjectRepository(session).add("전체", "summary", None)
    spec = OpenApiSpec(project_id=project.id, title="API", version="1", base_url="http://x")
    session.add(spec)
    await session.flush()
    tag = Tag(name="주문", openapi_spec_id=spec.id)
    endpoint = Endpoint(openapi_spec_id=spec.id, path="/orders", method="GET", details={"a": 1})
    session.add_all([tag, endpoint])
    await session.flush()
    await session.execute(tag_endpoint.insert().values(tag_id=tag.id, endpoint_id=endpoint.id))
    test = TestHistory(test_id=str(uuid4()), project_id=project.id, title="run")
    session.add(test)
    await session.flush()
    scenario = ScenarioHistory(
        test_history_id=test.id, endpoint_id=endpoint.id, name="s", executor="constant-vus"
    )
    session.add(scenario)
    await session.flush()
    session.add_all(
        [
            StageHistory(scenario_id=scenario.id, duration="30s", target=10),
            TestResourceTimeseries(
                test_history_id=test.id,
                timestamp=datetime.now(UTC),
                namespace="test",
                pod_name="api-0",
                cpu_usage_millicores=120.0,
            ),
        ]
    )
    await session.flush()
    return project


async def _count(session: AsyncSession, table: type[Base]) -> int:
    return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_add_get_list_count(session: AsyncSession) -> None:
    repo = ProjectRepository(session)
    before = await repo.count()
    first = await repo.add("첫 번째", "요약", "설명 ✓")
    second = await repo.add("second", None, None)
    assert await repo.count() == before + 2
    fetched = await repo.get(first.id)
    assert fetched is not None
    assert (fetched.title, fetched.summary, fetched.description) == ("첫 번째", "요약", "설명 ✓")
    assert fetched.created_at.tzinfo is not None
    listed = [p.id for p in await repo.list(limit=1000)]
    assert listed.index(first.id) < listed.index(second.id)
    assert await repo.get(10**12) is None


async def test_deleting_a_project_deletes_everything_under_it(session: AsyncSession) -> None:
    tables: list[type[Base]] = [
        OpenApiSpec, Tag, Endpoint, TestHistory, ScenarioHistory, StageHistory,
        TestResourceTimeseries,
    ]  # fmt: skip
    before = {t: await _count(session, t) for t in tables}
    links_before = await session.scalar(select(func.count()).select_from(tag_endpoint))
    project = await _project_with_everything(session)
    for table in tables:
        assert await _count(session, table) == before[table] + 1, table.__tablename__

    assert await ProjectRepository(session).delete(project.id)
    session.expunge_all()
    assert await ProjectRepository(session).get(project.id) is None
    for table in tables:
        assert await _count(session, table) == before[table], table.__tablename__
    links = await session.scalar(select(func.count()).select_from(tag_endpoint))
    assert links == links_before
    assert not await ProjectRepository(session).delete(project.id)


async def test_datetimes_come_back_aware_and_in_utc(session: AsyncSession) -> None:
    project = await ProjectRepository(session).add("tz", None, None)
    seoul = datetime(2026, 1, 2, 9, 0, tzinfo=UTC) + timedelta(hours=0)
    project.created_at = seoul.astimezone(datetime.now().astimezone().tzinfo)
    await session.flush()
    session.expunge_all()
    again = await ProjectRepository(session).get(project.id)
    assert again is not None
    assert again.created_at == seoul
    assert again.created_at.utcoffset() == timedelta(0)


async def test_processed_messages_claim_once(session: AsyncSession) -> None:
    messages = ProcessedMessages(session)
    message_id = str(uuid4())
    assert await messages.claim(message_id, "test.finished")
    assert not await messages.claim(message_id, "test.finished")
    assert await messages.claim(str(uuid4()), "test.finished")


async def _forget(sessions: async_sessionmaker[AsyncSession], message_id: str) -> None:
    """These tests commit for real; remove what they made."""
    async with sessions() as session, session.begin():
        await session.execute(delete(Project).where(Project.summary == message_id))
        await session.execute(
            delete(ProcessedMessage).where(ProcessedMessage.message_id == message_id)
        )


class _Note(Envelope):
    payload: str


async def test_apply_once_applies_a_redelivered_message_once(engine: AsyncEngine) -> None:
    sessions = make_session_factory(engine)
    message = _Note(type="note", correlation_id="c", payload="한 번만")

    async def create_project(session: AsyncSession) -> None:
        await ProjectRepository(session).add(message.payload, str(message.id), None)

    try:
        assert await apply_once(sessions, message, create_project)
        assert not await apply_once(sessions, message, create_project)
        async with sessions() as session:
            made = await session.scalar(
                select(func.count()).where(Project.summary == str(message.id))
            )
        assert made == 1
    finally:
        await _forget(sessions, str(message.id))


async def test_apply_once_stores_nothing_when_the_handler_fails(engine: AsyncEngine) -> None:
    sessions = make_session_factory(engine)
    message = _Note(type="note", correlation_id="c", payload="fails")

    async def half_then_fail(session: AsyncSession) -> None:
        await ProjectRepository(session).add("half-written", str(message.id), None)
        raise RuntimeError("handler crashed")

    async def succeed(session: AsyncSession) -> None:
        await ProjectRepository(session).add("whole", str(message.id), None)

    try:
        with pytest.raises(RuntimeError, match="handler crashed"):
            await apply_once(sessions, message, half_then_fail)
        async with sessions() as session:
            titles = (
                await session.scalars(
                    select(Project.title).where(Project.summary == str(message.id))
                )
            ).all()
        assert titles == []
        # the id was not recorded either, so the redelivery is applied
        assert await apply_once(sessions, message, succeed)
    finally:
        await _forget(sessions, str(message.id))
