"""discovered_server: the servers the pod-watcher found, listed on their project

Revision ID: 0008_discovered_server
Revises: 0007_metrics_runners
Create Date: 2026-12-01 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_discovered_server"
down_revision: str | None = "0007_metrics_runners"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "discovered_server",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("project_id", BIGINT, nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("base_url", sa.String(length=2000), nullable=False),
        sa.Column("document_url", sa.String(length=2000), nullable=False),
        sa.Column("image", sa.String(length=1000), nullable=True),
        sa.Column("analysis_id", sa.String(length=64), nullable=True),
        sa.Column("discovered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_discovered_server_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["spec_analysis.analysis_id"],
            name=op.f("fk_discovered_server_analysis_id_spec_analysis"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovered_server")),
        sa.UniqueConstraint(
            "project_id", "kind", "name", name=op.f("uq_discovered_server_project_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_discovered_server_project_id"), "discovered_server", ["project_id"], unique=False
    )
    op.create_index(
        op.f("ix_discovered_server_analysis_id"), "discovered_server", ["analysis_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_discovered_server_analysis_id"), table_name="discovered_server")
    op.drop_index(op.f("ix_discovered_server_project_id"), table_name="discovered_server")
    op.drop_table("discovered_server")
