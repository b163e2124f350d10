"""Journeys whose k6 scripts are kept byte for byte: one with a login, extractions of each kind
and every check, and a single request per static sign-in kind."""

from __future__ import annotations

from typing import Any

from mv_contracts.runs import TestRunRequest

from .golden_data import DATA_CASES
from .golden_requests import BASE_URL, TEST_ID

LOGIN_PASSWORD = "L0GIN-S3CRET"
SIGN_IN_SECRETS = (
    "B34RER-S3CRET",
    "HEAD3R-KEY",
    "QU3RY-KEY",
    "C00KIE-KEY",
    "BAS1C-PW",
    "0AUTH-S3CRET",
)
OAUTH_PASSWORD_SECRETS = ("PASSW0RD-S3CRET", "CL1ENT-S3CRET")


def vault_journey(base_url: str = BASE_URL, **scenario: Any) -> TestRunRequest:
    """login → create → read → update → delete of the demo API's vault."""
    item = {"item_id": "{{item_id}}"}
    steps = [
        {
            "name": "create",
            "endpoint": {
                "method": "POST",
                "path": "/vault/items",
                "body": {"name": "키보드", "sku": "{{$test}}-{{$vu}}-{{$iteration}}"},
            },
            "extract": [
                {"variable": "item_id", "source": "json", "expression": "id"},
                {"variable": "location", "source": "header", "expression": "Location"},
            ],
            "checks": [{"kind": "status_in", "statuses": [201]}],
        },
        {
            "name": "read",
            "endpoint": {"method": "GET", "path": "/vault/items/{item_id}", "path_params": item},
            "extract": [
                {"variable": "version", "source": "regex", "expression": '"version":\\s*(\\d+)'}
            ],
            "checks": [
                {"kind": "json_equals", "path": "name", "value": "키보드"},
                {"kind": "json_exists", "path": "$.sku"},
                {"kind": "duration_under", "max_ms": 2000},
            ],
        },
        {
            "name": "update",
            "endpoint": {
                "method": "PUT",
                "path": "/vault/items/{item_id}",
                "path_params": item,
                "headers": {"X-Was": "{{location}} v{{version}}"},
                "body": {"name": "허브 {{item_id}}"},
            },
            "checks": [{"kind": "body_contains", "text": "허브"}],
        },
        {
            "name": "delete",
            "endpoint": {"method": "DELETE", "path": "/vault/items/{item_id}", "path_params": item},
            "checks": [
                {"kind": "status_in", "statuses": [204]},
                {"kind": "header_present", "header": "X-Deleted"},
            ],
        },
    ]
    sign_in = {
        "kind": "login",
        "endpoint": {
            "method": "POST",
            "path": "/auth/login",
            "body": {"username": "demo", "password": LOGIN_PASSWORD},
        },
        "token": {"variable": "token", "source": "json", "expression": "access_token"},
        "refresh_seconds": 1,
    }
    options = {"vus": 2, "duration": "3s"} | scenario
    return TestRunRequest.model_validate(
        {
            "test_id": TEST_ID,
            "title": "금고 여정",
            "project_id": 1,
            "base_url": base_url,
            "scenarios": [{"name": "vault", "sign_in": sign_in, "steps": steps, **options}],
        }
    )


def sign_ins() -> TestRunRequest:
    """One single-request scenario per static sign-in kind."""
    kinds: list[dict[str, Any]] = [
        {"kind": "bearer", "token": SIGN_IN_SECRETS[0]},
        {"kind": "api_key", "location": "header", "name": "X-Api-Key", "value": SIGN_IN_SECRETS[1]},
        {"kind": "api_key", "location": "query", "name": "key", "value": SIGN_IN_SECRETS[2]},
        {"kind": "api_key", "location": "cookie", "name": "sid", "value": SIGN_IN_SECRETS[3]},
        {"kind": "basic", "username": "홍길동", "password": SIGN_IN_SECRETS[4]},
        {
            "kind": "oauth2_client_credentials",
            "token_url": "http://auth.test.svc/oauth/token",
            "client_id": "shop",
            "client_secret": SIGN_IN_SECRETS[5],
            "scope": "read write",
        },
    ]
    scenarios = [
        {
            "name": f"{kind['kind']} {kind.get('location', '')}".strip().replace("_", " "),
            "endpoint": {"method": "GET", "path": "/products", "query": {"page": "1"}},
            "sign_in": kind,
            "vus": 1,
            "duration": "1s",
        }
        for kind in kinds
    ]
    return TestRunRequest.model_validate(
        {
            "test_id": TEST_ID,
            "title": "sign-in",
            "project_id": 1,
            "base_url": BASE_URL,
            "scenarios": scenarios,
        }
    )


def oauth_password() -> TestRunRequest:
    """The OAuth2 password grant: a confidential client with a scope, and a public client."""
    grant = {
        "kind": "oauth2_password",
        "token_url": "http://auth.test.svc/oauth/token",
        "username": "홍길동 & co",
        "password": OAUTH_PASSWORD_SECRETS[0],
        "client_id": "shop",
    }
    sign_ins = [
        {**grant, "client_secret": OAUTH_PASSWORD_SECRETS[1], "scope": "read write"},
        {**grant, "client_id": "mobile app"},
    ]
    scenarios = [
        {
            "name": name,
            "endpoint": {"method": "GET", "path": "/products", "headers": {"X-T": "{{token}}"}},
            "sign_in": sign_in,
            "vus": 1,
            "duration": "1s",
        }
        for name, sign_in in zip(("confidential", "public"), sign_ins, strict=True)
    ]
    test = {"test_id": TEST_ID, "title": "oauth2 password", "project_id": 1, "base_url": BASE_URL}
    return TestRunRequest.model_validate({**test, "scenarios": scenarios})


JOURNEYS = {
    "vault-journey": vault_journey,
    "sign-ins": sign_ins,
    "oauth-password": oauth_password,
    **DATA_CASES,
}


def oauth_journey(base_url: str, **scenario: Any) -> TestRunRequest:
    """The vault journey signed in by OAuth2 client credentials instead of a login."""
    journey = vault_journey(base_url, **scenario).model_dump(mode="json")
    journey["scenarios"][0]["sign_in"] = {
        "kind": "oauth2_client_credentials",
        "token_url": f"{base_url}/oauth/token",
        "client_id": "demo-client",
        "client_secret": "demo-client-secret",
    }
    return TestRunRequest.model_validate(journey)
