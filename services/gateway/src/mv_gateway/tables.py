"""Every table of the gateway, for Alembic and the tests: importing this module registers each
feature's tables on the one metadata, so autogenerate and ``upgrade`` see the whole schema."""

from __future__ import annotations

from mv_gateway.auth import tables as auth
from mv_gateway.core import idempotency, once, outbox
from mv_gateway.core.database import Base
from mv_gateway.datafiles import tables as datafiles
from mv_gateway.history import tables as history
from mv_gateway.notify import tables as notify
from mv_gateway.ownscripts import tables as ownscripts
from mv_gateway.plans import tables as plans
from mv_gateway.projects import tables as projects
from mv_gateway.schedules import tables as schedules
from mv_gateway.specs import tables as specs
from mv_gateway.triggers import tables as triggers

metadata = Base.metadata
MODULES = (
    once, outbox, idempotency, auth, projects, specs, history, plans, notify, schedules, triggers,
    datafiles,
    ownscripts,
)  # fmt: skip
