"""What a journey is built from: security schemes an endpoint names, the links and top-level
fields of its success answer, in OpenAPI 3 and Swagger 2.0."""

from __future__ import annotations

import json
from typing import Any

from mv_contracts.spec import EndpointInfo, SecurityScheme
from mv_spec_analyzer.analysing import normalise
from mv_spec_analyzer.parsing import parse_document

ITEM = {
    "type": "object",
    "allOf": [{"$ref": "#/components/schemas/Named"}],
    "properties": {"id": {"type": "string"}, "version": {"type": "integer"}},
}
DOCUMENT_3: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "vault", "version": "1"},
    "security": [{"bearer": []}],
    "components": {
        "schemas": {"Item": ITEM, "Named": {"properties": {"name": {"type": "string"}}}},
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "Bearer", "bearerFormat": "JWT"},
            "key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            "oauth": {
                "$ref": "#/components/securitySchemes/oauthReal",
            },
            "oauthReal": {
                "type": "oauth2",
                "flows": {
                    "authorizationCode": {"authorizationUrl": "/a", "tokenUrl": "/code"},
                    "clientCredentials": {"tokenUrl": "https://id.example/token"},
                },
            },
        },
        "links": {
            "read": {"operationId": "readItem", "parameters": {"item_id": "$response.body#/id"}}
        },
    },
    "paths": {
        "/login": {"post": {"security": [], "responses": {"200": {"description": "ok"}}}},
        "/items": {
            "post": {
                "security": [{"key": [], "oauth": ["write"]}, {"missing": []}],
                "responses": {
                    "400": {"description": "no"},
                    "201": {
                        "description": "made",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                        "links": {"read": {"$ref": "#/components/links/read"}, "bad": 3},
                    },
                },
            }
        },
        "/items/{item_id}": {
            "get": {
                "operationId": "readItem",
                "parameters": [{"name": "item_id", "in": "path", "required": True}],
                "responses": {"200": {"$ref": "#/components/responses/Item"}},
            }
        },
    },
}
DOCUMENT_3["components"]["responses"] = {
    "Item": {
        "description": "the item",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
    }
}


def endpoints(document: dict[str, Any]) -> dict[str, EndpointInfo]:
    spec, _ = normalise(parse_document(json.dumps(document).encode(), max_bytes=100_000), None, {})
    return {e.key: e for e in spec.endpoints}


def test_schemes_named_by_security_come_with_the_endpoint() -> None:
    found = endpoints(DOCUMENT_3)
    read = found["GET /items/{item_id}"]
    assert read.security == [{"bearer": []}]  # the document's default
    assert read.security_schemes == {
        "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
    }
    create = found["POST /items"]
    assert create.security_schemes == {  # a scheme the document lacks is left out
        "key": SecurityScheme(type="apiKey", location="header", name="X-Api-Key"),
        "oauth": SecurityScheme(
            type="oauth2", flow="clientCredentials", token_url="https://id.example/token"
        ),
    }
    assert found["POST /login"].security_schemes == {}


def test_links_and_fields_of_the_first_success_answer() -> None:
    found = endpoints(DOCUMENT_3)
    create = found["POST /items"]
    assert create.response_fields == ["id", "version", "name"]
    assert [(x.name, x.operation_id, x.parameters) for x in create.links] == [
        ("read", "readItem", {"item_id": "$response.body#/id"})
    ]
    assert found["GET /items/{item_id}"].response_fields == ["id", "version", "name"]
    assert found["POST /login"].links == []
    assert found["POST /login"].response_fields == []


def test_swagger_2_schemes_and_answer_fields() -> None:
    document = {
        "swagger": "2.0",
        "info": {"title": "old", "version": "1"},
        "securityDefinitions": {
            "basic": {"type": "basic"},
            "app": {"type": "oauth2", "flow": "application", "tokenUrl": "http://x/token"},
        },
        "paths": {
            "/things": {
                "post": {
                    "security": [{"basic": []}, {"app": []}],
                    "responses": {
                        "201": {"description": "made", "schema": {"properties": {"id": {}}}}
                    },
                }
            }
        },
    }
    create = endpoints(document)["POST /things"]
    assert create.security_schemes == {
        "basic": SecurityScheme(type="http", scheme="basic"),
        "app": SecurityScheme(type="oauth2", flow="clientCredentials", token_url="http://x/token"),
    }
    assert create.response_fields == ["id"]


def test_an_oauth2_password_flow_gives_its_token_url() -> None:
    flows = {"authorizationCode": {"authorizationUrl": "/a", "tokenUrl": "/code"},
             "password": {"tokenUrl": "https://id.example/pw"}}  # fmt: skip
    document = json.loads(json.dumps(DOCUMENT_3))
    document["components"]["securitySchemes"]["oauthReal"]["flows"] = flows
    assert endpoints(document)["POST /items"].security_schemes["oauth"] == SecurityScheme(
        type="oauth2", flow="password", token_url="https://id.example/pw"
    )
