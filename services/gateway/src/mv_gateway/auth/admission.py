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

from mv_gateway.core.bodies import Admission

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


class RouteAdmission:
    """The check :class:`~mv_gateway.core.bodies.BodyLimits` runs before reading a body (an
    :data:`~mv_gateway.core.bodies.Admit`)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._routes: list[tuple[Any, Permission | None]] = []
        self._principal = get_dependant(path="", call=current_principal)

    def prepare(self) -> None:
        """Reads the route table, once the routers are included (at start-up: building it
        takes FastAPI half a second, which the first request should not wait). FastAPI keeps
        an included router as one entry of ``app.routes``; its private
        ``_iter_routes_with_context`` gives the routes the app matches requests with, with
        their effective paths and dependencies (test_access's route table reads them so too)."""
        routes = [context or route for route, context in _iter_routes_with_context(self.app.routes)]
        self._routes = [(route, _permission(getattr(route, "dependant", None))) for route in routes]

    def permission_for(self, scope: Scope) -> Permission | None:
        if not self._routes:
            self.prepare()
        for route, permission in self._routes:
            if route.matches(scope)[0] is Match.FULL:
                return permission
        return None  # 404 or 405: answered without the body, as a public route's

    async def __call__(self, scope: Scope) -> Admission:
        permission = self.permission_for(scope)
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
                    request=request, dependant=self._principal, async_exit_stack=stack,
                    dependency_overrides_provider=self.app, embed_body_fields=False,
                )  # fmt: skip
                if solved.errors:
                    return Admission(True, (401, "the credential could not be read", {}))
                principal = await current_principal(**solved.values)
        except HTTPException as refused:
            return Admission(
                True, (refused.status_code, refused.detail, dict(refused.headers or {}))
            )
        if not principal.may(permission):
            detail = f"the {principal.role.value} role may not do this: it needs {permission.value}"
            return Admission(True, (403, detail, {}))
        return Admission(guarded=True)


def _permission(dependant: Dependant | None) -> Permission | None:
    return None if dependant is None else required_permission(dependant)
