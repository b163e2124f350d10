"""outbox and idempotency keys; ids never reused on SQLite; analysis warnings

Revision ID: 0005_outbox_keys_ids
Revises: 0004_summary_analysis
Create Date: 2026-12-01 09:50:00

- ``outbox``: commands stored with what they are about, relayed to JetStream (core.outbox).
- ``idempotency_key``: what a request's ``Idempotency-Key`` made (core.idempotency).
- SQLite: the tables whose ids users see are rebuilt with AUTOINCREMENT, so the id of a deleted
  row is never handed out again (PostgreSQL's sequences never reuse one). Rebuilding copies the
  table; :func:`mv_gateway.core.migrate.upgrade` turns foreign keys off meanwhile, or dropping
  the old copy would cascade to every row under it.
- ``warnings`` of an analysis and of the spec it stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_outbox_keys_ids"
down_revision: str | None = "0004_summary_analysis"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SEEN_IDS = (
    "project",
    "openapi_spec",
    "tag",
    "endpoint",
    "test_history",
    "scenario_history",
    "stage_history",
)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "idempotency_key",
        sa.Column("route", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("route", "key", name=op.f("pk_idempotency_key")),
    )
    op.add_column("spec_analysis", sa.Column("warnings", sa.JSON(), nullable=True))
    op.add_column("openapi_spec", sa.Column("warnings", sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for table in SEEN_IDS:
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
            ):
                pass


def downgrade() -> None:
    # AUTOINCREMENT stays: ids that are never reused harm no earlier revision.
    with op.batch_alter_table("openapi_spec") as batch:
        batch.drop_column("warnings")
    with op.batch_alter_table("spec_analysis") as batch:
        batch.drop_column("warnings")
    op.drop_table("idempotency_key")
    op.drop_table("outbox")
