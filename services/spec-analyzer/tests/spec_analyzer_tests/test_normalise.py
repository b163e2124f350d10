"""Normalisation of one hand-written 3.1 document with Korean text: every per-endpoint field."""

from __future__ import annotations

from pathlib import Path

from mv_contracts.spec import AnalysedSpec
from mv_spec_analyzer.analysing import normalise
from mv_spec_analyzer.parsing import parse_document

DOCUMENT = (Path(__file__).parent.parent / "data" / "korean.yaml").read_bytes()


def spec() -> AnalysedSpec:
    result, warnings = normalise(parse_document(DOCUMENT, max_bytes=10_000), None, {})
    assert warnings == []
    return result


def test_spec_fields_and_base_url_from_server_variables() -> None:
    result = spec()
    assert result.title == "주문 서비스 API"
    assert result.description == "한국어 설명 — 이모지 🚀 포함"
    assert result.openapi_version == "3.1.0"
    assert result.base_url == "http://localhost:8080/api"
    assert [t.name for t in result.tags] == ["주문", "default"]
    assert result.tags[0].description == "주문 관리"


def test_parameters_merge_path_and_operation_levels() -> None:
    get = next(e for e in spec().endpoints if e.method == "GET")
    assert get.operation_id == "getOrder"
    assert get.tags == ["주문"]
    assert get.security == [{"bearer": []}]
    by_name = {p.name: p for p in get.parameters}
    assert set(by_name) == {"orderId", "X-Trace", "lang", "session"}
    assert by_name["X-Trace"].description == "operation level"
    assert by_name["X-Trace"].required is True
    assert by_name["X-Trace"].example == "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert by_name["orderId"].location == "path"
    assert by_name["orderId"].example == 1
    assert by_name["lang"].example == "ko"
    assert by_name["session"].location == "cookie"


def test_untagged_operation_goes_under_default_and_keeps_deprecated() -> None:
    delete = next(e for e in spec().endpoints if e.method == "DELETE")
    assert delete.tags == ["default"]
    assert delete.deprecated is True
    assert delete.security == []
    assert {p.name for p in delete.parameters} == {"orderId", "X-Trace"}


def test_request_body_example_synthesised_from_a_recursive_schema() -> None:
    post = next(e for e in spec().endpoints if e.method == "POST")
    assert post.request_body is not None
    assert post.request_body.required is True
    assert post.request_body.content_types == ["application/json"]
    example = post.request_body.example
    assert example["item"] == "string"
    assert example["quantity"] == 1
    assert example["email"] == "user@example.com"
    assert example["createdAt"] == "2024-01-01T00:00:00Z"
    assert example["parent"] is None  # the cycle stops the descent
    assert "id" not in example  # readOnly
    schema = post.request_body.schema_
    assert schema["properties"]["parent"] == {"$ref": "#/components/schemas/Order"}


def test_swagger_2_body_form_and_host_less_base_url() -> None:
    document = """
swagger: "2.0"
info: {title: t, version: "1"}
basePath: /v2
consumes: [application/json]
paths:
  /pets:
    post:
      parameters:
        - {name: body, in: body, required: true, schema: {$ref: "#/definitions/Pet"}}
  /upload:
    post:
      consumes: [multipart/form-data]
      parameters:
        - {name: file, in: formData, type: file, required: true}
        - {name: note, in: formData, type: string}
definitions:
  Pet:
    type: object
    required: [name]
    properties: {name: {type: string, example: Rex}, tag: {type: string}}
"""
    result, _ = normalise(parse_document(document, max_bytes=10_000), "https://h.test/x.json", {})
    assert result.base_url == "https://h.test/v2"
    pets, upload = result.endpoints
    assert pets.request_body is not None
    assert pets.request_body.example == {"name": "Rex"}
    assert pets.request_body.content_types == ["application/json"]
    assert upload.request_body is not None
    assert upload.request_body.content_types == ["multipart/form-data"]
    assert upload.request_body.schema_["required"] == ["file"]
