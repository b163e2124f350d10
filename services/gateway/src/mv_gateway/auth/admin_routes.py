"""Where load may be aimed (read by anyone signed in, changed by admins) and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import SessionDep, SettingsDep
from mv_gateway.core.errors import FieldError

from .aiming import ALLOWED_TARGETS, allowed_entries
from .guard import Admin, Reader
from .schemas import AllowedTargets, AuditRead
from .store import AuditLog, EditableSettings
from .targets import AllowList

settings_router = APIRouter(prefix="/settings", tags=["Settings"], route_class=ParsedBodyRoute)
audit_router = APIRouter(prefix="/audit", tags=["Audit"], route_class=ParsedBodyRoute)


@settings_router.get("/allowed-targets", response_model=AllowedTargets)
async def get_allowed_targets(
    _reader: Reader, session: SessionDep, settings: SettingsDep
) -> AllowedTargets:
    """Hosts, domains and networks a test may send load to; anything else is refused (422)."""
    return AllowedTargets(entries=await allowed_entries(session, settings))


@settings_router.put("/allowed-targets", response_model=AllowedTargets, responses={422: {}})
async def put_allowed_targets(
    body: AllowedTargets, admin: Admin, session: SessionDep
) -> AllowedTargets:
    """Replace the allow-list (kept in the database; the settings' list is the default)."""
    entries = []
    for i, entry in enumerate(body.entries):
        try:
            AllowList.parse([entry])
        except ValueError as error:
            raise FieldError("entries", i, message=str(error)) from None
        if entry.strip():
            entries.append(entry.strip().lower())
    await EditableSettings(session).put(ALLOWED_TARGETS, entries, admin.actor)
    await AuditLog(session).record(admin, "set_allowed_targets", None, {"entries": entries})
    return AllowedTargets(entries=entries)


@audit_router.get("", response_model=list[AuditRead])
async def audit(
    _admin: Admin,
    session: SessionDep,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditRead]:
    """Who signed in, analysed, started, cancelled, deleted or changed what and when; newest
    first."""
    entries = await AuditLog(session).entries(offset, limit, actor, action)
    return [AuditRead.model_validate(e) for e in entries]
