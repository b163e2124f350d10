"""spec_analysis: each request to analyse an OpenAPI document and its outcome

Revision ID: 0003_spec_analysis
Revises: 0002_test_script
Create Date: 2026-11-22 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_spec_analysis"
down_revision: str | None = "0002_test_script"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "spec_analysis",
        sa.Column("analysis_id", sa.String(length=64), nullable=False),
        sa.Column("project_id", BIGINT, nullable=False),
        sa.Column("spec_id", BIGINT, nullable=True),
        sa.Column("source_url", sa.String(length=2000), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("failure_kind", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_spec_analysis_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["spec_id"],
            ["openapi_spec.id"],
            name=op.f("fk_spec_analysis_spec_id_openapi_spec"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("analysis_id", name=op.f("pk_spec_analysis")),
    )
    op.create_index(
        op.f("ix_spec_analysis_project_id"), "spec_analysis", ["project_id"], unique=False
    )
    op.create_index(op.f("ix_spec_analysis_spec_id"), "spec_analysis", ["spec_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_spec_analysis_spec_id"), table_name="spec_analysis")
    op.drop_index(op.f("ix_spec_analysis_project_id"), table_name="spec_analysis")
    op.drop_table("spec_analysis")
