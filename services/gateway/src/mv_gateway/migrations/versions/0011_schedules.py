"""Schedules and trigger tokens of plans; the plan a run was started from

Revision ID: 0011_schedules
Revises: 0010_notifications
Create Date: 2026-12-07 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_schedules"
down_revision: str | None = "0010_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _plan(table: str, ondelete: str) -> list[object]:
    return [
        sa.Column("plan_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["test_plan.id"],
            name=op.f(f"fk_{table}_plan_id_test_plan"),
            ondelete=ondelete,
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "plan_schedule",
        sa.Column("id", BIG_ID, nullable=False),
        *_plan("plan_schedule", "CASCADE"),
        sa.Column("cron", sa.String(length=120), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("every_hours", BIG_ID, nullable=True),
        _when("anchor", False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("skip_while_running", sa.Boolean(), nullable=False),
        sa.Column("catch_up", sa.String(length=10), nullable=False),
        _when("next_run_at"),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        _when("last_due_at"),
        sa.Column("last_outcome", sa.String(length=20), nullable=True),
        sa.Column("last_detail", sa.Text(), nullable=True),
        sa.Column("last_test_id", sa.String(length=64), nullable=True),
        _when("created_at", False),
        _when("updated_at", False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_schedule")),
        sa.UniqueConstraint("plan_id", name=op.f("uq_plan_schedule_plan_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_plan_schedule_next_run_at"), "plan_schedule", ["next_run_at"], unique=False
    )
    op.create_table(
        "plan_trigger",
        sa.Column("id", BIG_ID, nullable=False),
        *_plan("plan_trigger", "CASCADE"),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        _when("created_at", False),
        _when("last_used_at"),
        _when("revoked_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_trigger")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_plan_trigger_token_hash")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_plan_trigger_plan_id"), "plan_trigger", ["plan_id"], unique=False)
    # Recreated on SQLite: keep AUTOINCREMENT, or a deleted test's id would be handed out again.
    with op.batch_alter_table("test_history", table_kwargs={"sqlite_autoincrement": True}) as table:
        table.add_column(sa.Column("plan_id", BIG_ID, nullable=True))
        table.create_index(op.f("ix_test_history_plan_id"), ["plan_id"], unique=False)
        table.create_foreign_key(
            op.f("fk_test_history_plan_id_test_plan"), "test_plan", ["plan_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip


def downgrade() -> None:
    # Recreated on SQLite: keep AUTOINCREMENT, or a deleted test's id would be handed out again.
    with op.batch_alter_table("test_history", table_kwargs={"sqlite_autoincrement": True}) as table:
        table.drop_constraint(op.f("fk_test_history_plan_id_test_plan"), type_="foreignkey")
        table.drop_index(op.f("ix_test_history_plan_id"))
        table.drop_column("plan_id")
    op.drop_index(op.f("ix_plan_trigger_plan_id"), table_name="plan_trigger")
    op.drop_table("plan_trigger")
    op.drop_index(op.f("ix_plan_schedule_next_run_at"), table_name="plan_schedule")
    op.drop_table("plan_schedule")
