"""The credential of a request checked before its body is read (see ``core.bodies``).

FastAPI reads and parses a body before it resolves a route's dependencies, so a route's guard
alone would answer 401 only after taking whatever an anonymous client sent. Here the route a
request goes to is found first, and when it declares a permission (``Depends(require(...))``)
the same :func:`.guard.current_principal` runs on the request's headers alone: resolved as
FastAPI resolves it, with the app's dependency overrides, so it sees what the route will see.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant, solve_dependencies
from fastapi.routing import _iter_routes_with_context
from starlette.routing import Match
from starlette.types import Scope

from mv_gateway.core.bodies import Admission, Admit

from .guard import current_principal
from .roles import Permission


def required_permission(dependant: Dependant) -> Permission | None:
    """The permission a route's dependencies demand, if any (the guards carry it)."""
    for sub in dependant.dependencies:
        permission = getattr(sub.call, "permission", None)
        if isinstance(permission, Permission):
            return permission
        found = required_permission(sub)
        if found is not None:
            return found
    return None


def admission(app: FastAPI) -> Admit:
    """The check :class:`~mv_gateway.core.bodies.BodyLimits` runs before reading a body."""
    # FastAPI keeps an included router as one entry of ``app.routes``; its private
    # ``_iter_routes_with_context`` gives the routes the app matches requests with, with their
    # effective paths and dependencies (the route-table test of test_access reads them so too).
    routes: list[Any] = []
    permissions: dict[int, Permission | None] = {}
    principal_of = get_dependant(path="", call=current_principal)

    def permission_for(scope: Scope) -> Permission | None:
        if not routes:  # the routers are included after the middleware is added: built lazily
            routes.extend(
                context or route for route, context in _iter_routes_with_context(app.routes)
            )
        route = next((r for r in routes if r.matches(scope)[0] is Match.FULL), None)
        if route is None:
            return None  # 404 or 405: answered without the body, as a public route's
        if id(route) not in permissions:
            dependant = getattr(route, "dependant", None)
            permissions[id(route)] = None if dependant is None else required_permission(dependant)
        return permissions[id(route)]

    async def admit(scope: Scope) -> Admission:
        permission = permission_for(scope)
        if permission is None:
            return Admission(guarded=False)
        # A copy: the route later puts its own per-request state in the scope.
        request = Request({**scope, "state": dict(scope.get("state") or {})})
        try:
            async with AsyncExitStack() as stack:
                request.scope["fastapi_inner_astack"] = stack
                request.scope["fastapi_function_astack"] = stack
                # Its parameters (session, bearer, cookie) resolved as for the route, then it.
                solved = await solve_dependencies(
                    request=request, dependant=principal_of, async_exit_stack=stack,
                    dependency_overrides_provider=app, embed_body_fields=False,
                )  # fmt: skip
                if solved.errors:
                    return Admission(True, (401, "the credential could not be read", {}))
                principal = await current_principal(**solved.values)
        except HTTPException as refused:
            return Admission(True, (refused.status_code, refused.detail, refused.headers or {}))
        if not principal.may(permission):
            detail = f"the {principal.role.value} role may not do this: it needs {permission.value}"
            return Admission(True, (403, detail, {}))
        return Admission(guarded=True)

    return admit
