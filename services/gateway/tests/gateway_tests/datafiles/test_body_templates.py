"""An endpoint's body template: the document's example with generated values on the fields
whose format must differ per request (uuid, email), so a load test started from it does not
send one id or address again and again; a template that the scenario then sends is accepted."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.edges.test_openapi_api import analysed, endpoint, project
from mv_contracts.spec import RequestBodyInfo
from mv_gateway.specs.repository import SpecRepository

SCHEMA: dict[str, Any] = {
    "type": "object",
    "allOf": [{"properties": {"id": {"type": "string", "format": "uuid"}}}],
    "properties": {
        "email": {"type": "string", "format": "email"},
        "name": {"type": "string"},
        "contacts": {
            "type": "array",
            "items": {"type": "object", "properties": {"mail": {"format": "idn-email"}}},
        },
        "count": {"type": "integer", "format": "int32"},
    },
}
EXAMPLE = {
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "user@example.com",
    "name": "김",
    "contacts": [{"mail": "a@example.com"}],
    "count": 0,
}
SIGN_UP = endpoint(
    "POST",
    "/accounts",
    "accounts",
    "d1",
    request_body=RequestBodyInfo.model_validate(
        {"content_types": ["application/json"], "schema": SCHEMA, "example": EXAMPLE}
    ),
)


async def test_bodies_start_with_generators_where_the_format_must_differ(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    spec, _ = await SpecRepository(session).store(await project(client), None, analysed(SIGN_UP))
    (read,) = (await client.get("/endpoint", params={"spec_id": spec.id})).json()
    assert read["request_body"]["example"] == EXAMPLE  # the document's own, as it was
    template = read["body_template"]
    assert template == {
        "id": "{{$uuid}}",
        "email": "{{$email}}",
        "name": "김",
        "contacts": [{"mail": "{{$email}}"}],
        "count": 0,
    }
    started = await client.post(
        "/load-testing",
        json={"title": "t", "base_url": "http://127.0.0.1:9",
              "scenarios": [{"name": "s", "endpoint_id": read["id"], "body": template,
                             "vus": 1, "iterations": 1, "executor": "shared-iterations"}]},
    )  # fmt: skip
    assert started.status_code == 202, started.text
