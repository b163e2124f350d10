"""notification_channel, notification_delivery, notification_attempt: a project's channels and
what was sent to them

Revision ID: 0010_notifications
Revises: 0009_verdict
Create Date: 2026-12-07 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_notifications"
down_revision: str | None = "0009_verdict"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def _parent(table: str, column: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=op.f(f"fk_{table}_{column}_{parent}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "notification_channel",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("project_id", BIGINT, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("url_hint", sa.String(length=300), nullable=True),
        sa.Column("signing_secret", sa.Text(), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=True),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        _parent("notification_channel", "project_id", "project"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_channel")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_notification_channel_project_id"), "notification_channel", ["project_id"]
    )
    op.create_table(
        "notification_delivery",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("channel_id", BIGINT, nullable=False),
        sa.Column("test_id", sa.String(length=36), nullable=True),
        sa.Column("event", sa.String(length=30), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=False),
        sa.Column("claimed_until", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        _parent("notification_delivery", "channel_id", "notification_channel"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_delivery")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_notification_delivery_channel_id"), "notification_delivery", ["channel_id"]
    )
    op.create_index(op.f("ix_notification_delivery_status"), "notification_delivery", ["status"])
    op.create_table(
        "notification_attempt",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("delivery_id", BIGINT, nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status_code", BIGINT, nullable=True),
        sa.Column("answer", sa.String(length=500), nullable=True),
        sa.Column("duration_ms", BIGINT, nullable=False),
        _parent("notification_attempt", "delivery_id", "notification_delivery"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_attempt")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_notification_attempt_delivery_id"), "notification_attempt", ["delivery_id"]
    )


def downgrade() -> None:
    op.drop_table("notification_attempt")
    op.drop_table("notification_delivery")
    op.drop_table("notification_channel")
