"""test_script: the k6 script the test-runner generated for a test

Revision ID: 0002_test_script
Revises: 0001
Create Date: 2026-11-22 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_test_script"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "test_script",
        sa.Column(
            "test_history_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("script", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["test_history_id"],
            ["test_history.id"],
            name=op.f("fk_test_script_test_history_id_test_history"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("test_history_id", name=op.f("pk_test_script")),
    )


def downgrade() -> None:
    op.drop_table("test_script")
