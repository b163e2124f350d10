"""What must happen before a project is deleted, told by the features above it (the app wires
them): the runs feature cancels the project's tests that are still pending or running, so no k6
keeps loading a target nobody can see or stop any more. Each hook works in the deleting
transaction, so the cancellations are stored (outbox) exactly when the project is gone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

BeforeDelete = Callable[[AsyncSession, int], Awaitable[None]]


def get_before_delete(request: Request) -> Sequence[BeforeDelete]:
    hooks: Sequence[BeforeDelete] = getattr(request.app.state, "before_project_delete", ())
    return hooks
