"""Own k6 scripts, versioned per project; the version a test ran

Revision ID: 0013_own_scripts
Revises: 0012_data_files
Create Date: 2026-12-07 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_own_scripts"
down_revision: str | None = "0012_data_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "own_script",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("project_id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", BIG_ID, nullable=False),
        sa.Column("entry", sa.String(length=1024), nullable=False),
        sa.Column("archive", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("inspection", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_own_script_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_own_script")),
        sa.UniqueConstraint("project_id", "name", "version", name="uq_own_script_version"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_own_script_project_id"), "own_script", ["project_id"])
    with op.batch_alter_table("test_history", table_kwargs={"sqlite_autoincrement": True}) as table:
        table.add_column(sa.Column("own_script_id", BIG_ID, nullable=True))
        table.create_index(op.f("ix_test_history_own_script_id"), ["own_script_id"], unique=False)
        table.create_foreign_key(
            op.f("fk_test_history_own_script_id_own_script"), "own_script", ["own_script_id"],
            ["id"], ondelete="SET NULL",
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("test_history", table_kwargs={"sqlite_autoincrement": True}) as table:
        table.drop_constraint(op.f("fk_test_history_own_script_id_own_script"), type_="foreignkey")
        table.drop_index(op.f("ix_test_history_own_script_id"))
        table.drop_column("own_script_id")
    op.drop_index(op.f("ix_own_script_project_id"), table_name="own_script")
    op.drop_table("own_script")
