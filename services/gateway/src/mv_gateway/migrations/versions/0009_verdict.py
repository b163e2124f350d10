"""test_history: the run's verdict (for lists) and its own analysis thresholds

Revision ID: 0009_verdict
Revises: 0008_discovered_server
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_verdict"
down_revision: str | None = "0008_discovered_server"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("test_history") as table:
        table.add_column(sa.Column("verdict", sa.String(length=10), nullable=True))
        table.add_column(sa.Column("analysis_thresholds", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("test_history") as table:
        table.drop_column("analysis_thresholds")
        table.drop_column("verdict")
