"""Postman auth (collection, folder or request) as the journey's sign-in; a token a test script
sets from an answer makes that request the login."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway_tests.postman.collections import (
    collection,
    environment,
    json_body,
    request,
    scenarios,
)
from mv_contracts.secrecy import SECRET_MASK
from mv_gateway.postman.convert import convert
from mv_gateway.postman.requests import Known
from mv_gateway.postman.schemas import PostmanPreview

BASE = "http://api.test"
ENDPOINTS = [Known(1, "GET", "/items"), Known(2, "POST", "/login")]


def _auth(kind: str, **values: str) -> dict[str, Any]:
    return {"type": kind, kind: [{"key": k, "value": v} for k, v in values.items()]}


def _preview(auth: dict[str, Any] | None, env: str | None = None, **fields: Any) -> PostmanPreview:
    items = [
        {
            "name": "F",
            "item": [request("list", "GET", f"{BASE}/items")],
            **({"auth": auth} if auth else {}),
        }
    ]
    return convert(collection(items, **fields), env, ENDPOINTS, [])


def _sign_in(preview: PostmanPreview) -> dict[str, Any]:
    sign_in = scenarios(preview)[0]["sign_in"]
    assert sign_in is not None
    return dict(sign_in)


@pytest.mark.parametrize(
    ("auth", "expected", "secret"),
    [
        (_auth("bearer", token="T0KEN-S3CRET"), {"kind": "bearer", "token": SECRET_MASK}, "token"),
        (
            _auth("basic", username="demo", password="PW-S3CRET"),
            {"kind": "basic", "username": "demo", "password": SECRET_MASK},
            "password",
        ),
        (
            _auth("apikey", key="X-Api-Key", value="K3Y-S3CRET", **{"in": "query"}),
            {"kind": "api_key", "location": "query", "name": "X-Api-Key", "value": SECRET_MASK},
            "value",
        ),
        (
            _auth(
                "oauth2",
                grant_type="client_credentials",
                accessTokenUrl=f"{BASE}/oauth/token",
                clientId="demo-client",
                clientSecret="CL13NT-S3CRET",
                scope="items",
            ),
            {
                "kind": "oauth2_client_credentials",
                "token_url": f"{BASE}/oauth/token",
                "client_id": "demo-client",
                "client_secret": SECRET_MASK,
                "scope": "items",
            },
            "client_secret",
        ),
    ],
)
def test_each_auth_kind_becomes_its_sign_in_with_the_secret_masked(
    auth: dict[str, Any], expected: dict[str, Any], secret: str
) -> None:
    preview = _preview(auth)
    assert _sign_in(preview) == expected
    assert "S3CRET" not in preview.model_dump_json()
    (found,) = preview.secrets
    assert found.variable is False  # a literal: typed again, named by its field
    assert [p.at for p in found.places] == [["scenarios", 0, "sign_in", secret]]
    assert found.places[0].template == "{{" + found.name + "}}"


def test_a_token_variable_of_the_environment_is_a_secret_named_by_its_variable() -> None:
    env = environment({"apiToken": "T0KEN-S3CRET"})
    preview = _preview(_auth("bearer", token="{{apiToken}}"), env)
    assert _sign_in(preview) == {"kind": "bearer", "token": SECRET_MASK}
    assert [(s.name, s.variable, s.places[0].template) for s in preview.secrets] == [
        ("apiToken", True, "{{apiToken}}")
    ]
    assert "S3CRET" not in preview.model_dump_json()


def test_a_token_set_by_a_request_s_test_script_makes_it_the_login() -> None:
    login = request(
        "login",
        "POST",
        f"{BASE}/login",
        auth={"type": "noauth"},
        body=json_body({"user": "demo", "password": "{{pw}}"}),
        test=['pm.environment.set("jwt", pm.response.json().data.token);'],
    )
    items = [login, {"name": "F", "item": [request("list", "GET", f"{BASE}/items")]}]
    text = collection(items, auth=_auth("bearer", token="{{jwt}}"))
    preview = convert(text, environment({"pw": "PW-S3CRET"}, secret=("pw",)), ENDPOINTS, [])
    assert [s["name"] for s in scenarios(preview)] == ["F"]  # the login is no step
    sign_in = _sign_in(preview)
    assert sign_in["kind"] == "login"
    assert sign_in["endpoint_id"] == 2
    assert sign_in["token"] == {"variable": "jwt", "source": "json", "expression": "data.token"}
    assert sign_in["body"] == {"user": "demo", "password": SECRET_MASK}
    assert [(s.name, [p.at for p in s.places]) for s in preview.secrets] == [
        ("pw", [["scenarios", 0, "sign_in", "body", "password"]])
    ]


def test_no_auth_no_sign_in_and_other_kinds_or_a_request_s_own_auth_are_listed() -> None:
    assert scenarios(_preview(None))[0]["sign_in"] is None
    assert scenarios(_preview({"type": "noauth"}))[0]["sign_in"] is None
    digest = _preview(_auth("digest", username="u", password="p"))
    assert [(n.what, n.reason) for n in digest.not_carried] == [
        ("auth", "digest auth is not carried over")
    ]
    code = _preview(_auth("oauth2", grant_type="authorization_code"))
    assert [n.what for n in code.not_carried] == ["auth"]
    own = request("list", "GET", f"{BASE}/items", auth=_auth("bearer", token="other"))
    items = [{"name": "F", "item": [own], "auth": _auth("bearer", token="T")}]
    preview = convert(collection(items), None, ENDPOINTS, [])
    assert [(n.where, n.what) for n in preview.not_carried] == [("F / list", "auth")]
    assert (
        json.loads(preview.model_dump_json())["test"]["scenarios"][0]["sign_in"]["kind"] == "bearer"
    )


def test_auth_is_inherited_by_folders_unless_they_have_their_own() -> None:
    items = [
        {"name": "signed", "item": [request("a", "GET", f"{BASE}/items")]},
        {
            "name": "open",
            "auth": {"type": "noauth"},
            "item": [request("b", "GET", f"{BASE}/items")],
        },
    ]
    preview = convert(
        collection(items, auth=_auth("basic", username="u", password="p")), None, ENDPOINTS, []
    )
    assert [s["sign_in"]["kind"] if s["sign_in"] else None for s in scenarios(preview)] == [
        "basic",
        None,
    ]


def test_a_sign_in_the_api_would_refuse_is_left_out_and_said() -> None:
    preview = _preview(
        _auth(
            "oauth2",
            grant_type="client_credentials",
            accessTokenUrl="{{authUrl}}",
            clientId="c",
            clientSecret="s",
        )
    )
    assert scenarios(preview)[0]["sign_in"] is None
    assert [n.what for n in preview.not_carried] == ["auth", "auth"]
    assert "the sign-in is left out: sign_in.oauth2_client_credentials.token_url" in (
        preview.not_carried[1].reason
    )
