"""The errors features raise, and the one place that turns them into HTTP answers.

Features raise subclasses of these (``runs.rules.InvalidTestRequest``, ``specs.analysis.
AnalysisFailed``...) from plain functions that know nothing of HTTP; each base class names its
status code, and :func:`install_error_handlers` answers ``{"detail": ...}`` with it, the shape
FastAPI gives its own errors.
"""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .echo import safe_detail, safe_errors


class GatewayError(Exception):
    status_code: ClassVar[int] = 500

    def __init__(self, detail: Any) -> None:
        super().__init__(detail if isinstance(detail, str) else repr(detail))
        self.detail = detail


class NotFoundError(GatewayError, LookupError):
    status_code = 404

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key} not found")
        self.kind = kind
        self.key = key


class ConflictError(GatewayError):
    status_code = 409


class InvalidRequest(GatewayError):
    """422; ``detail`` is a text, or a list of ``{"loc", "msg", "type"}`` naming the fields."""

    status_code = 422


class FieldError(InvalidRequest):
    """A 422 naming one field of the body, as FastAPI's validation errors do."""

    def __init__(self, *loc: str | int, message: str) -> None:
        super().__init__([{"loc": ["body", *loc], "msg": message, "type": "value_error"}])


class ServiceUnavailable(GatewayError):
    status_code = 503


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(GatewayError)
    async def _answer(_request: Request, error: GatewayError) -> JSONResponse:
        return JSONResponse(
            status_code=error.status_code,
            content={"detail": safe_detail(error.detail)},
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes every input whole (and fails on NaN): a few KB at most.
        return JSONResponse(status_code=422, content={"detail": safe_errors(error.errors())})
