"""Roles and what each may do; every route names the one permission it needs."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    TESTER = "tester"
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read"  # everything there is to see
    TEST = "test"  # analyse specs, start and cancel tests
    ADMIN = "admin"  # users, tokens, deleting projects, settings, the audit log


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.TESTER: frozenset({Permission.READ, Permission.TEST}),
    Role.ADMIN: frozenset(Permission),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]
