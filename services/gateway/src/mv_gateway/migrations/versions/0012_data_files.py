"""Data files: a project's test data, kept as its columns and rows

Revision ID: 0012_data_files
Revises: 0011_schedules
Create Date: 2026-12-07 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_data_files"
down_revision: str | None = "0011_schedules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "data_file",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("project_id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("size_bytes", BIG_ID, nullable=False),
        sa.Column("row_count", BIG_ID, nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_data_file_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_file")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_data_file_project_id"), "data_file", ["project_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_data_file_project_id"), table_name="data_file")
    op.drop_table("data_file")
