"""test_summary and test_analysis; the run request and a baseline mark on test_history; the
pods' restarts in test_resource_timeseries; test_plan

Revision ID: 0004_summary_analysis
Revises: 0003_spec_analysis
Create Date: 2026-12-01 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_summary_analysis"
down_revision: str | None = "0003_spec_analysis"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("test_history") as table:
        table.add_column(sa.Column("run_request", sa.JSON(), nullable=True))
        table.add_column(sa.Column("figures_complete", sa.Boolean(), nullable=True))
        table.add_column(sa.Column("figures_incomplete_reason", sa.Text(), nullable=True))
        table.add_column(sa.Column("finished_event", sa.JSON(), nullable=True))
        table.add_column(
            sa.Column("is_baseline", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("test_resource_timeseries") as table:
        table.add_column(sa.Column("restarts", BIGINT, nullable=True))
    op.create_table(
        "test_summary",
        sa.Column("test_history_id", BIGINT, nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["test_history_id"],
            ["test_history.id"],
            name=op.f("fk_test_summary_test_history_id_test_history"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("test_history_id", name=op.f("pk_test_summary")),
    )
    op.create_table(
        "test_analysis",
        sa.Column("test_history_id", BIGINT, nullable=False),
        sa.Column("analysis", sa.JSON(), nullable=False),
        sa.Column("baseline_test_history_id", BIGINT, nullable=True),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["test_history_id"],
            ["test_history.id"],
            name=op.f("fk_test_analysis_test_history_id_test_history"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["baseline_test_history_id"],
            ["test_history.id"],
            name=op.f("fk_test_analysis_baseline_test_history_id_test_history"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("test_history_id", name=op.f("pk_test_analysis")),
    )
    op.create_table(
        "test_plan",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("project_id", BIGINT, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("test", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_test_plan_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_plan")),
        sa.UniqueConstraint("project_id", "name", name="uq_test_plan_project_name"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_test_plan_project_id"), "test_plan", ["project_id"], unique=False)
    op.create_index(
        op.f("ix_test_analysis_baseline_test_history_id"),
        "test_analysis",
        ["baseline_test_history_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_test_plan_project_id"), table_name="test_plan")
    op.drop_table("test_plan")
    op.drop_index(op.f("ix_test_analysis_baseline_test_history_id"), table_name="test_analysis")
    op.drop_table("test_analysis")
    op.drop_table("test_summary")
    with op.batch_alter_table("test_resource_timeseries") as table:
        table.drop_column("restarts")
    with op.batch_alter_table("test_history") as table:
        table.drop_column("is_baseline")
        table.drop_column("finished_event")
        table.drop_column("figures_incomplete_reason")
        table.drop_column("figures_complete")
        table.drop_column("run_request")
