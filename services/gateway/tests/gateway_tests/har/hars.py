"""Small HAR documents made in code, and the recorded one of the demo API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mv_gateway.har.drafting import EndpointOption

DATA = Path(__file__).parent / "data"
DEMO_HAR = DATA / "demo.har"
# The demo API's endpoints as the project stores them (ids as the tests give them).
DEMO_ENDPOINTS = [
    EndpointOption(1, "POST", "/auth/login"),
    EndpointOption(2, "POST", "/vault/items"),
    EndpointOption(3, "GET", "/vault/items/{item_id}"),
    EndpointOption(4, "PUT", "/vault/items/{item_id}"),
    EndpointOption(5, "DELETE", "/vault/items/{item_id}"),
    EndpointOption(6, "GET", "/products"),
    EndpointOption(7, "GET", "/products/{product_id}"),
]


def demo_har() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DEMO_HAR.read_text(encoding="utf-8"))
    return document


def entry(
    method: str,
    url: str,
    *,
    at: float = 0.0,
    status: int = 200,
    headers: dict[str, str] | None = None,
    body: Any = None,
    body_type: str = "application/json",
    answer: Any = None,
    answer_type: str = "application/json",
    answer_headers: list[tuple[str, str]] | None = None,
    resource: str | None = None,
) -> dict[str, Any]:
    """One HAR entry started ``at`` seconds after 10:00:00 that took 10 ms."""
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "headers": [{"name": k, "value": v} for k, v in (headers or {}).items()],
    }
    if body is not None:
        text = body if isinstance(body, str) else json.dumps(body)
        request["postData"] = {"mimeType": body_type, "text": text}
    content: dict[str, Any] = {"mimeType": answer_type}
    if answer is not None:
        content["text"] = answer if isinstance(answer, str) else json.dumps(answer)
    found: dict[str, Any] = {
        "startedDateTime": f"2026-01-01T10:00:{at:06.3f}Z",
        "time": 10,
        "request": request,
        "response": {
            "status": status,
            "headers": [{"name": k, "value": v} for k, v in answer_headers or []],
            "content": content,
        },
    }
    if resource:
        found["_resourceType"] = resource
    return found


def har(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"log": {"version": "1.2", "entries": list(entries)}}
