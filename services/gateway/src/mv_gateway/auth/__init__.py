"""Who may do what: users, login sessions, API tokens, roles, login limits, where load may be
aimed, and the audit log.

The plain rules (``passwords``, ``tokens``, ``roles``, ``limits``, ``targets``) do no I/O; the
tables, routes and FastAPI dependencies sit beside them. Every route of every feature declares
one of the dependencies exported here (``READ``/``TEST``/``ADMIN``/``PUBLIC`` in its
``dependencies``, or a ``Reader``/``Tester``/``Admin`` parameter when it needs the principal).
"""

from .aiming import RoleLimits, allowed_entries, check_targets, limits_for
from .guard import ADMIN, PUBLIC, READ, TEST, Admin, Reader, Tester, public, require
from .principal import Principal
from .roles import Permission, Role
from .sockets import accept_signed_in
from .store import AuditLog
from .targets import AllowList, TargetNotAllowed

__all__ = [
    "ADMIN", "PUBLIC", "READ", "TEST", "Admin", "AllowList", "AuditLog", "Permission",
    "Principal", "Reader", "Role", "RoleLimits", "TargetNotAllowed", "Tester",
    "accept_signed_in", "allowed_entries", "check_targets", "limits_for", "public", "require",
]  # fmt: skip
