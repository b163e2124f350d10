"""Errors the routes raise, and the handlers turning them into clear 4xx answers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class NotFoundError(LookupError):
    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key} not found")
        self.kind = kind
        self.key = key


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFoundError)
    async def _not_found(_request: Request, error: NotFoundError) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(error)})
