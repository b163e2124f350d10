"""Bodies and answers of the access-control routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mv_contracts.targets import MAX_ENTRIES

from .roles import Permission, Role

Username = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    name: str = Field(description="The user name, or the token's name")
    kind: Literal["user", "token"]
    role: Role
    permissions: list[Permission]
    csrf_token: str | None = Field(
        default=None, description="Send it as X-CSRF-Token with writes signed in by cookie"
    )


class UserCreate(BaseModel):
    username: str = Username
    password: str = Field(min_length=1, max_length=1024)
    role: Role = Role.VIEWER


class UserUpdate(BaseModel):
    role: Role | None = None
    disabled: bool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=1024)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    role: Role
    created_at: datetime
    disabled: bool


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role


class TokenCreated(BaseModel):
    id: int
    name: str
    role: Role
    token: str = Field(description="The secret, shown this once; only its digest is stored")


class TokenRead(BaseModel):
    id: int
    name: str
    role: Role
    hint: str = Field(description="Prefix and last four characters, to recognise it")
    created_at: datetime
    created_by: str | None
    last_used_at: datetime | None


class AllowedTargets(BaseModel):
    entries: list[str] = Field(
        max_length=MAX_ENTRIES,
        description="Host names (localhost), domains (*.svc.cluster.local) and networks "
        "(10.0.0.0/8, ::1/128) load may be aimed at",
        examples=[["127.0.0.0/8", "localhost", "*.svc.cluster.local"]],
    )


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any] | None
