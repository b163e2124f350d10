"""A signed-in journey: login, then create → read → update → delete one order."""

from __future__ import annotations

from typing import Any

LOGIN: dict[str, Any] = {
    "kind": "login",
    "endpoint": {
        "method": "POST",
        "path": "/auth/login",
        "body": {"username": "데모", "password": "s3cret"},
    },
    "token": {"variable": "token", "source": "json", "expression": "access_token"},
    "refresh_seconds": 20,
}


def journey(**extra: Any) -> dict[str, Any]:
    return {
        "name": "주문 여정",
        "vus": 2,
        "duration": "5s",
        "sign_in": LOGIN,
        "steps": [
            {
                "name": "create",
                "endpoint": {
                    "method": "POST",
                    "path": "/vault/items",
                    "body": {"name": "키보드", "sku": "sku-1"},
                },
                "extract": [
                    {"variable": "item_id", "source": "json", "expression": "id"},
                    {"variable": "etag", "source": "header", "expression": "ETag"},
                ],
                "checks": [{"kind": "status_in", "statuses": [201]}],
            },
            {
                "name": "read",
                "endpoint": {
                    "method": "GET",
                    "path": "/vault/items/{item_id}",
                    "path_params": {"item_id": "{{item_id}}"},
                    "headers": {"If-None-Match": "{{ etag }}"},
                },
                "checks": [
                    {"kind": "json_equals", "path": "name", "value": "키보드"},
                    {"kind": "duration_under", "max_ms": 500},
                ],
                "think_time": 0.1,
            },
            {
                "name": "update",
                "endpoint": {
                    "method": "PUT",
                    "path": "/vault/items/{item_id}",
                    "path_params": {"item_id": "{{item_id}}"},
                    "body": {"name": "키보드 {{item_id}}", "id": "{{item_id}}"},
                },
                "extract": [{"variable": "v", "source": "regex", "expression": '"version":(\\d+)'}],
                "checks": [{"kind": "json_exists", "path": "$.version"}],
            },
            {
                "name": "delete",
                "endpoint": {
                    "method": "DELETE",
                    "path": "/vault/items/{item_id}",
                    "path_params": {"item_id": "{{item_id}}"},
                    "query": {"version": "{{v}}"},
                },
                "checks": [
                    {"kind": "status_in", "statuses": [204, 404]},
                    {"kind": "header_present", "header": "X-Deleted"},
                    {"kind": "body_contains", "text": "deleted"},
                ],
            },
        ],
        **extra,
    }
