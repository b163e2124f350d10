"""Migrations up to head, down to base and up again, on a fresh database of each backend; and
the migrated schema equal to the tables the features declare (whose figure columns come from
the contract), so a figure added to the contract without a migration fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway_tests.conftest import BACKENDS, database_url
from mv_devstack.config import StackConfig
from mv_devstack.servers import PostgreSQL
from mv_gateway.core.engine import make_engine
from mv_gateway.core.migrate import downgrade, upgrade
from mv_gateway.tables import metadata


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


@pytest.mark.parametrize("backend", BACKENDS)
async def test_up_down_up(
    backend: str, stack: StackConfig, postgres: PostgreSQL, tmp_path: Path
) -> None:
    engine = make_engine(database_url(backend, "mv_migrations_test", stack, postgres, tmp_path))
    try:
        model_tables = set(metadata.tables)
        await upgrade(engine)
        assert await _tables(engine) == model_tables | {"alembic_version"}
        await downgrade(engine)
        assert await _tables(engine) <= {"alembic_version"}
        await upgrade(engine)
        assert await _tables(engine) == model_tables | {"alembic_version"}
    finally:
        await engine.dispose()


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


@pytest.mark.parametrize("backend", BACKENDS)
async def test_migrations_match_the_tables(
    backend: str, stack: StackConfig, postgres: PostgreSQL, tmp_path: Path
) -> None:
    engine = make_engine(database_url(backend, "mv_migrations_test", stack, postgres, tmp_path))
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()
