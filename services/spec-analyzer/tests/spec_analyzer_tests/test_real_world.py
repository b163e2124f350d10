"""Documents as they are found in the wild: parts that cannot be resolved are warnings, not
failures, and the endpoints that need them are kept."""

from __future__ import annotations

import pytest

from mv_contracts.spec import SpecAnalysedEvent, SpecAnalysisRequest, SpecSource
from mv_spec_analyzer.analysing import Analyzer
from mv_spec_analyzer.handlers import outcome

from .servers import LocalServer

# The shape of bump.sh's train-travel example: a top-level extension whose content is a
# ``$ref`` to a Markdown file, which no operation needs.
TRAIN_TRAVEL = """openapi: 3.1.0
info:
  title: Train Travel API
  version: 1.2.1
  license: {name: CC-BY-NC-SA-4.0, identifier: CC-BY-NC-SA-4.0}
servers:
  - url: https://api.example.com
x-topics:
  - title: Getting started
    content:
      $ref: ./docs/getting-started.md
webhooks:
  newBooking:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Booking'}
paths:
  /stations:
    get:
      operationId: get-stations
      tags: [Stations]
      parameters:
        - $ref: '#/components/parameters/page'
        - name: country
          in: query
          schema: {type: string}
          example: DE
  /bookings:
    post:
      operationId: create-booking
      tags: [Bookings]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Booking'}
components:
  parameters:
    page:
      name: page
      in: query
      schema: {type: integer, minimum: 1, default: 1}
  schemas:
    Booking:
      type: object
      required: [trip_id, passenger_name]
      properties:
        trip_id: {type: string, format: uuid}
        passenger_name: {type: [string, 'null'], examples: [John Doe]}
"""


MARKDOWN = """# Getting started

1. Find a station: `GET /stations`
2. Book a trip: see [Bookings](#bookings)
"""


@pytest.mark.parametrize(("markdown", "reason"), [(None, "404"), (MARKDOWN, "malformed YAML")])
async def test_an_extension_ref_to_a_markdown_file_is_a_warning(
    server: LocalServer, analyzer: Analyzer, markdown: str | None, reason: str
) -> None:
    """Missing (answered 404), or there: Markdown is neither JSON nor YAML."""
    server.add("/train/openapi.yaml", TRAIN_TRAVEL, content_type="application/yaml")
    if markdown is not None:
        server.add("/train/docs/getting-started.md", markdown, content_type="text/markdown")
    request = SpecAnalysisRequest(
        analysis_id="train", project_id=1, source=SpecSource(url=f"{server.url}/train/openapi.yaml")
    )
    event = await outcome(analyzer, request)
    assert "/train/docs/getting-started.md" in server.requests
    assert isinstance(event, SpecAnalysedEvent), event
    spec = event.payload.spec
    assert spec is not None
    assert spec.openapi_version == "3.1.0"
    assert [e.key for e in spec.endpoints] == ["GET /stations", "POST /bookings"]
    stations, bookings = spec.endpoints
    assert [p.name for p in stations.parameters] == ["page", "country"]
    assert bookings.request_body is not None
    assert bookings.request_body.example == {
        "trip_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "passenger_name": "John Doe",
    }
    (warning,) = event.payload.warnings
    assert warning.ref == "./docs/getting-started.md"
    assert warning.endpoint is None
    assert reason in warning.message
    assert "/x-topics/0/content" in warning.message  # where the reference was found


UNRESOLVABLE = """openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets/{id}:
    get:
      parameters:
        - $ref: '#/components/parameters/Missing'
        - {name: id, in: path, required: true, schema: {type: string}}
    put:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/info/title'}
  /pets:
    post:
      summary: Add a pet
      requestBody:
        content:
          application/json:
            schema: {$ref: 'schemas/pet.yaml#/Pet'}
  /gone:
    $ref: 'paths.yaml#/gone'
"""


async def test_operations_with_unresolvable_refs_are_kept_with_warnings(
    server: LocalServer, analyzer: Analyzer
) -> None:
    server.add("/spec/openapi.yaml", UNRESOLVABLE, content_type="application/yaml")
    analysis = await analyzer.analyse(SpecSource(url=f"{server.url}/spec/openapi.yaml"))
    spec = analysis.spec
    assert [e.key for e in spec.endpoints] == ["GET /pets/{id}", "PUT /pets/{id}", "POST /pets"]
    get, put, post = spec.endpoints
    assert [p.name for p in get.parameters] == ["id"]
    assert put.request_body is not None
    assert put.request_body.content_types == ["application/json"]
    assert put.request_body.schema_ == {}  # '#/info/title' is text, not a schema
    assert post.summary == "Add a pet"
    assert post.request_body is not None
    assert post.request_body.schema_ == {"$ref": "schemas/pet.yaml#/Pet"}
    found = sorted((w.endpoint or "", w.ref or "", w.message) for w in analysis.warnings)
    assert [(endpoint, ref) for endpoint, ref, _ in found] == [
        ("", "paths.yaml#/gone"),  # the fetch of paths.yaml: answered 404
        ("", "paths.yaml#/gone"),  # and so the path item /gone has no operations
        ("", "schemas/pet.yaml#/Pet"),  # the fetch of schemas/pet.yaml: answered 404
        ("GET /pets/{id}", "#/components/parameters/Missing"),
        ("POST /pets", "schemas/pet.yaml#/Pet"),
        ("PUT /pets/{id}", "#/info/title"),
    ]
    messages = [message for _, _, message in found]
    assert "404" in messages[0] + messages[1]
    assert "/gone" in messages[0] + messages[1]
    assert "404" in messages[2]
    assert all("kept" in message for message in messages[3:])
