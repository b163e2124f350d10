"""Small value types shared by several payloads."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field


def no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refusing it at the edge keeps both stores equal.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(no_nul)]
Name = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(no_nul)]
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
