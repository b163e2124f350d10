"""The declarative base every table derives from, and the column types they share.

Each feature declares its own tables (``<feature>/tables.py``); :mod:`mv_gateway.tables` imports
them all, so Alembic sees the whole schema. Foreign keys name tables as strings and cascade in the
database itself, so deleting a project removes everything under it in one statement on both
PostgreSQL and SQLite, and no feature imports another's table classes for a key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, Integer, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both backends (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# 64-bit ids on PostgreSQL (the API accepts ids up to 2**63-1); SQLite's INTEGER is 64-bit already
# and must stay INTEGER to remain the autoincrementing rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


# Tables whose ids users see keep SQLite from reusing the id of a deleted row (it otherwise
# hands out max(id)+1, so a late result for a deleted project would land on the next one).
# PostgreSQL's sequences never reuse an id anyway. (Revision 0005.)
AUTOINCREMENT: dict[str, Any] = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    # TestHistory and friends are tables, not pytest test classes.
    __test__: ClassVar[bool] = False
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        int: BigId,
        dict[str, Any]: JSON,
        datetime: UtcDateTime(),
    }
