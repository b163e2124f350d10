"""Alembic migrations of the gateway's store; see :mod:`mv_gateway.core.migrate`."""
