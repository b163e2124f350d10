"""Checking where a test would send load, before it is accepted: the allow-list in force (an
admin's, else the settings', else :data:`.targets.DEFAULT_ALLOWED`) against every host, after
resolving the name.

The names are resolved once, here; k6 resolves them again when it runs, so a name whose
addresses change in between (DNS rebinding) is judged by its first answer. Listing host names
rather than networks (``*.svc.cluster.local``) is what keeps that honest.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.core.settings import Settings

from .roles import Role
from .store import EditableSettings
from .targets import DEFAULT_ALLOWED, AllowList, host_of, literal_address

ALLOWED_TARGETS = "allowed_targets"  # the key in gateway_setting


async def allowed_entries(session: AsyncSession, settings: Settings | None) -> list[str]:
    """The entries in force; they also travel with every analyse command, so the analyzer
    fetches only from where load may go."""
    stored = await EditableSettings(session).get(ALLOWED_TARGETS)
    if stored is not None:
        return list(stored)
    if settings is not None and settings.allowed_targets is not None:
        return list(settings.allowed_targets)
    return list(DEFAULT_ALLOWED)


async def resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to; none when it does not resolve."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    return sorted({str(info[4][0]) for info in infos})


async def check_targets(allow: AllowList, urls: Iterable[str]) -> None:
    """Raise :class:`.targets.TargetNotAllowed` for the first host load may not be aimed at."""
    for host in dict.fromkeys(host_of(url) for url in urls):
        if allow.name_allowed(host):
            continue
        allow.check(host, await resolve(host))


@dataclass(frozen=True, slots=True)
class RoleLimits:
    """The most a role's test may ask for, on top of what the contract allows anyone."""

    max_vus: int
    max_seconds: float
    max_running_tests: int
    """Tests of one user (or token) pending or running at once."""


def limits_for(role: Role, settings: Settings) -> RoleLimits:
    if role is Role.ADMIN:
        return RoleLimits(
            settings.admin_max_vus,
            settings.admin_max_duration_seconds,
            settings.admin_max_running_tests,
        )
    return RoleLimits(
        settings.tester_max_vus,
        settings.tester_max_duration_seconds,
        settings.tester_max_running_tests,
    )
