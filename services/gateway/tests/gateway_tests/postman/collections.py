"""Postman collections for the tests: the demo API's (committed with the demo), and small ones
built here, one request or folder at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mv_contracts.secrecy import SECRET_MASK
from mv_gateway.postman.requests import Known
from mv_gateway.postman.schemas import PostmanPreview

DEMO = Path(__file__).parents[5] / "examples" / "demo-api" / "postman"
DEMO_COLLECTION = DEMO / "metric-vault-demo.postman_collection.json"
DEMO_ENVIRONMENT = DEMO / "metric-vault-demo.postman_environment.json"
SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

# The demo API's endpoints, as its analysed document stores them (ids of a test's choosing).
DEMO_ENDPOINTS = [
    Known(11, "POST", "/auth/login"),
    Known(12, "POST", "/vault/items"),
    Known(13, "GET", "/vault/items/{item_id}"),
    Known(14, "PUT", "/vault/items/{item_id}"),
    Known(15, "DELETE", "/vault/items/{item_id}"),
    Known(16, "GET", "/products"),
    Known(17, "GET", "/products/{product_id}"),
    Known(18, "POST", "/orders"),
    Known(19, "POST", "/oauth/token"),
]


def request(
    name: str, method: str, url: str, *, test: list[str] | None = None, **fields: Any
) -> dict[str, Any]:
    item: dict[str, Any] = {"name": name, "request": {"method": method, "url": url, **fields}}
    if test is not None:
        item["event"] = [{"listen": "test", "script": {"exec": test}}]
    return item


def json_body(value: Any) -> dict[str, Any]:
    return {"mode": "raw", "raw": json.dumps(value), "options": {"raw": {"language": "json"}}}


def collection(items: list[Any], variables: dict[str, str] | None = None, **fields: Any) -> str:
    return json.dumps(
        {
            "info": {"name": "시험 모음", "schema": SCHEMA},
            "item": items,
            "variable": [{"key": k, "value": v} for k, v in (variables or {}).items()],
            **fields,
        }
    )


def environment(values: dict[str, str], secret: tuple[str, ...] = ()) -> str:
    return json.dumps(
        {
            "name": "env",
            "values": [
                {
                    "key": k,
                    "value": v,
                    "enabled": True,
                    "type": "secret" if k in secret else "default",
                }
                for k, v in values.items()
            ],
        }
    )


def with_secrets(test: dict[str, Any], secrets: list[dict[str, Any]], given: dict[str, str]) -> Any:
    """The preview's test with each secret's value put back at its places, as the browser does
    from the files it holds."""
    for secret in secrets:
        for place in secret["places"]:
            node = test
            for part in place["at"][:-1]:
                node = node[part]
            assert node[place["at"][-1]] == SECRET_MASK
            value = place["template"]
            for name, text in given.items():
                value = value.replace("{{" + name + "}}", text)
            node[place["at"][-1]] = value
    return test


def scenarios(preview: PostmanPreview) -> list[dict[str, Any]]:
    """The preview's test's scenarios as JSON, every field there (defaults too)."""
    assert preview.test is not None
    return list(preview.test.model_dump(mode="json")["scenarios"])
