"""The demo's protected part: a login that hands out tokens which expire, items whose ids only
the answer that created them reveals, and a unique ``sku`` (a second item with the same one is a
409), so a journey test needs sign-in, values carried from step to step and data that differs.

It counts what it answered (``GET /vault/stats``, outside the document): per endpoint and
status, per token, per item id, and every request that came with no token, an unknown one or
an expired one, so a test can hold the platform's figures against the API's own.
"""

# No postponed annotations: the routes name a dependency defined inside vault_router.

import base64
import binascii
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

VAULT_TAG = {"name": "vault", "description": "Signed-in items: login, create, read, update, delete"}
DEMO_USERS = {"demo": "vault-demo"}
DEMO_CLIENTS = {"demo-client": "demo-client-secret"}  # OAuth2 client credentials


# Declared in the document (securitySchemes "bearer", and each item route's security), so the
# platform's builder offers the sign-in; a missing token is this router's own 401, counted.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer", bearerFormat="opaque")
# The document's link from a created item to reading it, as a journey builder follows it.
READ_CREATED = {
    "read": {"operationId": "readItem", "parameters": {"item_id": "$response.body#/id"}}
}


class Login(BaseModel):
    username: str = Field(examples=["demo"])
    password: str = Field(examples=["vault-demo"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 -- the OAuth2 token type, not a secret
    expires_in: float = Field(description="Seconds the token is valid")


class ItemCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["무선 키보드"])
    sku: str = Field(min_length=1, max_length=100, description="Unique across items")


class ItemUpdate(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class Item(ItemCreate):
    id: str = Field(description="Known only from the answer that created it")
    version: int


@dataclass
class VaultCounts:
    endpoints: Counter[str] = field(default_factory=Counter)
    """"METHOD /path/template STATUS" → answers."""
    tokens: Counter[str] = field(default_factory=Counter)
    ids: dict[str, Counter[str]] = field(default_factory=dict)
    """Item id → method → answers."""
    refused: Counter[str] = field(default_factory=Counter)
    """missing / unknown / expired tokens."""
    skus: Counter[str] = field(default_factory=Counter)
    """sku → items asked for with it (a second is the 409), so a test sees each value sent."""

    def as_json(self) -> dict[str, Any]:
        return {
            "endpoints": dict(self.endpoints),
            "tokens": len(self.tokens),
            "requests_per_token": dict(self.tokens),
            "ids": {i: dict(c) for i, c in self.ids.items()},
            "refused": dict(self.refused),
            "skus": dict(self.skus),
        }


def vault_router(token_seconds: float, clock: Callable[[], float] = time.monotonic) -> APIRouter:
    tokens: dict[str, float] = {}
    items: dict[str, Item] = {}
    skus: set[str] = set()
    counts = VaultCounts()
    router = APIRouter(tags=[VAULT_TAG["name"]])

    def counted(request: Request, response: Response, code: int) -> None:
        route = request.scope.get("route")
        template = getattr(route, "path", request.url.path)
        counts.endpoints[f"{request.method} {template} {code}"] += 1
        response.status_code = code

    def signed_in(
        request: Request, bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
    ) -> str:
        token = bearer.credentials.strip() if bearer else ""
        why = "missing" if not token else "unknown" if token not in tokens else None
        if why is None and clock() >= tokens[token]:
            why = "expired"
        if why is not None:
            counts.refused[why] += 1
            route = getattr(request.scope.get("route"), "path", request.url.path)
            counts.endpoints[f"{request.method} {route} 401"] += 1
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"token {why}")
        counts.tokens[token] += 1
        return token

    def item_of(item_id: str, method: str) -> Item:
        counts.ids.setdefault(item_id, Counter())[method] += 1
        if item_id not in items:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"item {item_id} not found")
        return items[item_id]

    Auth = Annotated[str, Depends(signed_in)]

    @router.post("/auth/login", summary="Sign in: a bearer token that expires")
    async def login(body: Login, request: Request, response: Response) -> Token:
        if DEMO_USERS.get(body.username) != body.password:
            counted(request, response, 401)
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong user name or password")
        token = secrets.token_urlsafe(24)
        tokens[token] = clock() + token_seconds
        counted(request, response, 200)
        return Token(access_token=token, expires_in=token_seconds)

    @router.post(
        "/oauth/token",
        summary="OAuth2 client credentials: the client id and secret in HTTP basic",
        openapi_extra={"requestBody": {"content": {"application/x-www-form-urlencoded": {}}}},
    )
    async def oauth_token(request: Request, response: Response) -> Token:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        basic = request.headers.get("authorization", "").removeprefix("Basic ")
        try:
            client, _, secret = base64.b64decode(basic, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            client, secret = "", ""
        if form.get("grant_type") != ["client_credentials"] or DEMO_CLIENTS.get(client) != secret:
            counted(request, response, 401)
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid client")
        token = secrets.token_urlsafe(24)
        tokens[token] = clock() + token_seconds
        counted(request, response, 200)
        return Token(access_token=token, expires_in=token_seconds)

    @router.post(
        "/vault/items",
        status_code=201,
        summary="Create an item",
        responses={201: {"description": "The item", "links": READ_CREATED}, 409: {}},
    )
    async def create(body: ItemCreate, request: Request, response: Response, _: Auth) -> Item:
        counts.skus[body.sku] += 1
        if body.sku in skus:
            counted(request, response, 409)
            raise HTTPException(status.HTTP_409_CONFLICT, f"sku {body.sku!r} is taken")
        skus.add(body.sku)
        item = Item(id=uuid.uuid4().hex, version=1, **body.model_dump())
        items[item.id] = item
        counts.ids.setdefault(item.id, Counter())["POST"] += 1
        counted(request, response, 201)
        response.headers["Location"] = f"/vault/items/{item.id}"
        return item

    @router.get(
        "/vault/items/{item_id}",
        summary="Read an item",
        responses={404: {}},
        operation_id="readItem",
    )
    async def read(item_id: str, request: Request, response: Response, _: Auth) -> Item:
        try:
            item = item_of(item_id, "GET")
        except HTTPException:
            counted(request, response, 404)
            raise
        counted(request, response, 200)
        return item

    @router.put("/vault/items/{item_id}", summary="Rename an item", responses={404: {}})
    async def update(
        item_id: str, body: ItemUpdate, request: Request, response: Response, _: Auth
    ) -> Item:
        try:
            item = item_of(item_id, "PUT")
        except HTTPException:
            counted(request, response, 404)
            raise
        items[item_id] = item.model_copy(update={"name": body.name, "version": item.version + 1})
        counted(request, response, 200)
        return items[item_id]

    @router.delete("/vault/items/{item_id}", status_code=204, responses={404: {}})
    async def delete(item_id: str, request: Request, response: Response, _: Auth) -> Response:
        try:
            item_of(item_id, "DELETE")
        except HTTPException:
            counted(request, response, 404)
            raise
        del items[item_id]
        counted(request, response, 204)
        return Response(status_code=204, headers={"X-Deleted": item_id})

    @router.get("/vault/stats", include_in_schema=False)
    async def stats() -> dict[str, Any]:
        return counts.as_json()

    return router
