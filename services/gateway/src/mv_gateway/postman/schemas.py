"""The body of a Postman import and the preview it answers (nothing is stored)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mv_gateway.runs import LoadTestCreate

from .collection import MAX_FILE_BYTES


class PostmanImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collection: str = Field(
        min_length=1,
        description=f"The collection file's text (Postman collection v2.1 JSON, at most "
        f"{MAX_FILE_BYTES} bytes)",
    )
    environment: str | None = Field(
        default=None, description="An environment file's text (Postman environment JSON)"
    )


class VariableRead(BaseModel):
    name: str = Field(description="As Postman names it")
    value: str | None = Field(description="None for a secret: never shown")
    secret: bool
    source: Literal["collection", "environment", "script"] = Field(
        description="script: set from an answer by a test script, a variable of the journey"
    )


class SecretPlace(BaseModel):
    at: list[str | int] = Field(description="The field of ``test`` that holds the secret")
    template: str = Field(
        description="Its value with each secret written {{name}}: the field's value once the "
        "secrets' values are put in"
    )


class SecretInput(BaseModel):
    """A secret value the test needs: shown masked in ``test``, typed (or read from the
    uploaded files, which the browser holds) before the test runs."""

    name: str = Field(description="The Postman variable, or the field holding a literal secret")
    variable: bool = Field(description="A variable of the collection or environment")
    places: list[SecretPlace]


class ScriptRead(BaseModel):
    where: str = Field(description="The request (folder / name), folder or collection")
    kind: Literal["prerequest", "test"]
    lines: int
    carried_over: bool = Field(description="Read as checks and extractions; else not carried")
    became: list[str] = Field(default_factory=list)


class NotCarried(BaseModel):
    where: str
    what: str = Field(examples=["body", "auth", "request", "host", "variable"])
    reason: str


class PostmanPreview(BaseModel):
    collection: str
    base_url: str | None = Field(description="The common host of the requests")
    test: LoadTestCreate | None = Field(
        description="The test the builder loads: a journey per folder, secrets masked; None "
        "when no request matched an endpoint of the project. Its fields are the ones the "
        "import set (no defaults), so sent back as it is it is the same test"
    )
    requests: int = Field(description="Requests in the collection")
    steps: int = Field(description="Of them, steps of the journeys (a login counts as a sign-in)")
    variables: list[VariableRead]
    secrets: list[SecretInput]
    scripts: list[ScriptRead]
    not_carried: list[NotCarried]
