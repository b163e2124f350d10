"""metrics at scale and split runs: a test's metrics mode, its percentiles' source and error
bound, and its runners

Revision ID: 0007_metrics_runners
Revises: 0006_auth
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_metrics_runners"
down_revision: str | None = "0006_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("test_history") as batch:
        batch.add_column(sa.Column("metrics_mode", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("percentile_source", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("percentile_error_bound", sa.Double(), nullable=True))
        batch.add_column(sa.Column("runners", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("test_history") as batch:
        batch.drop_column("runners")
        batch.drop_column("percentile_error_bound")
        batch.drop_column("percentile_source")
        batch.drop_column("metrics_mode")
