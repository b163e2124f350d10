"""The OAuth2 password grant run by real k6 against a loopback token endpoint that takes only
the right user and client, and an API that takes only its live tokens: each VU takes its own
token, again before it expires, and every request carries a valid one."""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, get_args
from urllib.parse import parse_qs, quote, quote_plus, unquote_plus

import pytest

from mv_contracts.runs import TestRunRequest
from mv_contracts.signin import SIGN_IN_SECRETS, OAuth2PasswordSignIn, SignIn
from mv_runtime.sealing import Sealer, open_request, replace_secrets, seal_request
from mv_test_runner.script import generate_script

from .conftest import k6_run
from .golden_requests import TEST_ID

USER, PASSWORD = "kim", "pa ss&w0rd=1"
CLIENT, CLIENT_SECRET = "shop", "cl1ent s3cret:+/%"  # form-encoded before HTTP Basic
LIFE = 2  # seconds a token lives
GRACE = 1.0  # the client's clock starts at the answer, the server's at the question


@dataclass
class Auth:
    base: str = ""
    issued: dict[str, float] = field(default_factory=dict)  # token → when
    token_calls: int = 0
    refused: list[str] = field(default_factory=list)
    uses: dict[str, set[str]] = field(default_factory=dict)  # token → the VUs that sent it
    confidential: bool = True


def _token_answer(auth: Auth, handler: BaseHTTPRequestHandler, form: dict[str, list[str]]) -> int:
    given = {k: v[0] for k, v in form.items()}
    if auth.confidential:
        client_ok = _basic_client(handler.headers.get("Authorization", "")) == (
            CLIENT,
            CLIENT_SECRET,
        )
        client_ok = client_ok and "client_id" not in given
    else:
        client_ok = given.get("client_id") == CLIENT and "Authorization" not in handler.headers
    wanted = {"grant_type": "password", "username": USER, "password": PASSWORD}
    if not client_ok or {k: given.get(k) for k in wanted} != wanted:
        auth.refused.append(f"token {given} {handler.headers.get('Authorization')}")
        return 401
    auth.token_calls += 1
    token = secrets.token_hex(8)
    auth.issued[token] = time.monotonic()
    _answer(handler, 200, f'{{"access_token": "{token}", "expires_in": {LIFE}}}')
    return 200


def _basic_client(header: str) -> tuple[str, str] | None:
    """The client id and secret as a token endpoint reads them (RFC 6749 2.3.1)."""
    scheme, _, encoded = header.partition(" ")
    if scheme != "Basic":
        return None
    client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    return unquote_plus(client_id), unquote_plus(secret)


def _answer(handler: BaseHTTPRequestHandler, status: int, body: str = "{}") -> None:
    data = body.encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


@pytest.fixture
def auth() -> Iterator[Auth]:
    state = Auth()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            with lock:
                status = _token_answer(state, self, form) if self.path == "/token" else 404
            if status != 200:
                _answer(self, status)

        def do_GET(self) -> None:
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            with lock:
                issued = state.issued.get(token)
                live = issued is not None and time.monotonic() - issued < LIFE + GRACE
                if live:
                    state.uses.setdefault(token, set()).add(self.headers.get("X-VU", ""))
                else:
                    state.refused.append(f"api {self.headers.get('Authorization')}")
            _answer(self, 200 if live else 401)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _request(base: str, confidential: bool) -> TestRunRequest:
    sign_in = {"kind": "oauth2_password", "token_url": f"{base}/token", "username": USER,
               "password": PASSWORD, "client_id": CLIENT,
               "client_secret": CLIENT_SECRET if confidential else None}  # fmt: skip
    scenario = {
        "name": "items",
        "endpoint": {"method": "GET", "path": "/items", "headers": {"X-VU": "{{$vu}}"}},
        "sign_in": sign_in,
        "vus": 2,
        "duration": "5s",
        "think_time": 0.1,
    }
    return TestRunRequest.model_validate(
        {
            "test_id": TEST_ID,
            "title": "password",
            "project_id": 1,
            "base_url": base,
            "scenarios": [scenario],
        }
    )


@pytest.mark.parametrize("confidential", [True, False], ids=["basic-client", "public-client"])
def test_each_vu_signs_in_by_password_and_again_before_expiry(
    auth: Auth, confidential: bool, k6: str, tmp_path: Path
) -> None:
    auth.confidential = confidential
    request = _request(auth.base, confidential)
    generated = generate_script(request)
    stored = seal_request(request, Sealer.of(Sealer.new_key())).model_dump_json()
    pair = base64.b64encode(f"{CLIENT}:{quote_plus(CLIENT_SECRET)}".encode()).decode()
    for secret in (PASSWORD, CLIENT_SECRET, quote(PASSWORD, safe=""), pair):
        assert secret not in generated.text
        assert secret not in stored
    k6_run(k6, tmp_path, generated)
    assert auth.refused == []
    used = auth.uses
    assert len(used) >= 2 * 2, used  # each VU at its start, and again before expiry
    assert all(len(vus) == 1 for vus in used.values()), used  # a token per VU
    per_vu: dict[str, int] = {}
    for vus in used.values():
        (vu,) = vus
        per_vu[vu] = per_vu.get(vu, 0) + 1
    assert sorted(per_vu) == ["1", "2"], per_vu
    assert min(per_vu.values()) >= 2, per_vu
    assert auth.token_calls >= len(used)


def test_both_secrets_are_sealed_masked_and_opened() -> None:
    sealer = Sealer.of(Sealer.new_key())
    request = _request("http://127.0.0.1:9", confidential=True)
    sealed = seal_request(request, sealer)
    text = sealed.model_dump_json()
    assert PASSWORD not in text
    assert CLIENT_SECRET not in text
    assert '"username":"kim"' in text  # not a secret
    assert open_request(sealed, sealer) == request
    masked = replace_secrets(request, lambda _value: "****").scenarios[0].sign_in
    assert isinstance(masked, OAuth2PasswordSignIn)
    assert (masked.password, masked.client_secret) == ("****", "****")
    public = _request("http://127.0.0.1:9", confidential=False)
    opened = open_request(seal_request(public, sealer), sealer).scenarios[0].sign_in
    assert isinstance(opened, OAuth2PasswordSignIn)
    assert (opened.password, opened.client_secret) == (PASSWORD, None)


def test_each_secret_field_is_a_field_of_its_kind() -> None:
    kinds = {m.model_fields["kind"].default: m for m in get_args(get_args(SignIn)[0])}
    assert set(SIGN_IN_SECRETS) == set(kinds) - {"login"}
    for kind, fields in SIGN_IN_SECRETS.items():
        assert set(fields) <= set(kinds[kind].model_fields), kind
    assert SIGN_IN_SECRETS["oauth2_password"] == ("password", "client_secret")
    grant = {"token_url": "http://a/t", "username": "u", "password": "p", "client_id": "c"}
    with pytest.raises(ValueError, match="client_secret"):
        OAuth2PasswordSignIn.model_validate(grant | {"client_secret": ""})
