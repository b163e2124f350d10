"""Who is asking: a signed-in user or an API token, with the role it acts with; or a plan's
schedule or trigger token, which start runs with the role of the person who set them up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .roles import Permission, Role, allows


@dataclass(frozen=True, slots=True)
class Principal:
    kind: Literal["user", "token", "schedule", "trigger"]
    id: int
    name: str
    role: Role
    by_cookie: bool = False  # a browser session: its writes must carry the CSRF token

    @property
    def actor(self) -> str:
        """How the audit log and a test's ``started_by`` name it."""
        return self.name if self.kind == "user" else f"{self.kind}:{self.name}"

    def may(self, permission: Permission) -> bool:
        return allows(self.role, permission)
