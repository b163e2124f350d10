"""Signing in and out, CSRF, login limits, users, tokens, the first admin and the headers,
over HTTP on both backends."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.conftest import bearer
from mv_gateway.__main__ import main
from mv_gateway.auth import Role
from mv_gateway.auth.bootstrap import BadAdminSetting, bootstrap
from mv_gateway.auth.store import Accounts
from mv_gateway.core.engine import make_engine, make_session_factory
from mv_gateway.core.migrate import upgrade
from mv_gateway.core.settings import Settings

PASSWORD = "a long passphrase 한국어"


@pytest.fixture
async def alice(session: AsyncSession) -> str:
    await Accounts(session).add_user("alice", PASSWORD, Role.TESTER)
    return "alice"


def _cookies(response: httpx.Response) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}


async def test_a_browser_signs_in_writes_with_the_csrf_token_and_signs_out(
    anonymous: httpx.AsyncClient, alice: str
) -> None:
    wrong = await anonymous.post("/auth/login", json={"username": alice, "password": "nope"})
    assert wrong.status_code == 401
    signed_in = await anonymous.post("/auth/login", json={"username": alice, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    me = signed_in.json()
    assert (me["name"], me["role"], me["kind"]) == ("alice", "tester", "user")
    cookies = _cookies(signed_in)
    session_cookie, csrf_cookie = cookies["mv_session"], cookies["mv_csrf"]
    assert "HttpOnly" in session_cookie
    assert "samesite=strict" in session_cookie.lower()
    assert "Secure" not in session_cookie  # plain HTTP, secure_cookies=auto
    assert "HttpOnly" not in csrf_cookie  # the page reads it to send it back
    csrf = me["csrf_token"]
    assert f"mv_csrf={csrf}" in csrf_cookie

    assert (await anonymous.get("/auth/me")).json()["name"] == "alice"
    forged = await anonymous.post("/project", json={"title": "csrf"})
    assert forged.status_code == 403
    assert "X-CSRF-Token" in forged.json()["detail"]
    wrong_token = await anonymous.post(
        "/project", json={"title": "csrf"}, headers={"X-CSRF-Token": "0" * 64}
    )
    assert wrong_token.status_code == 403
    created = await anonymous.post(
        "/project", json={"title": "csrf"}, headers={"X-CSRF-Token": csrf}
    )
    assert created.status_code == 201
    # a tester may not delete; the CSRF token does not widen a role
    refused = await anonymous.delete(
        f"/project/{created.json()['id']}", headers={"X-CSRF-Token": csrf}
    )
    assert refused.status_code == 403

    out = await anonymous.post("/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    anonymous.cookies.clear()
    replayed = await anonymous.get("/auth/me", headers={"Cookie": session_cookie.split(";")[0]})
    assert replayed.status_code == 401  # the session is gone from the database, not only the jar


async def test_the_cookie_is_secure_when_the_settings_say_so(
    anonymous: httpx.AsyncClient, alice: str
) -> None:
    app = anonymous._transport.app  # type: ignore[attr-defined]
    app.state.settings = app.state.settings.model_copy(update={"secure_cookies": "always"})
    signed_in = await anonymous.post("/auth/login", json={"username": alice, "password": PASSWORD})
    assert "Secure" in _cookies(signed_in)["mv_session"]


async def test_failed_logins_are_limited_per_address(
    anonymous: httpx.AsyncClient, alice: str
) -> None:
    """Whatever the user names (the back-off of one user is in test_login_limits)."""
    for name in ("bob", "carol", "dave", "erin", "frank"):
        answer = await anonymous.post("/auth/login", json={"username": name, "password": "x"})
        assert answer.status_code == 401
    limited = await anonymous.post("/auth/login", json={"username": alice, "password": PASSWORD})
    assert limited.status_code == 429  # even the right password, until the window passes
    assert 1 <= int(limited.headers["retry-after"]) <= 300


async def test_failed_logins_are_audited_without_the_password(
    client: httpx.AsyncClient, alice: str
) -> None:
    """The name as typed (control characters escaped: PostgreSQL holds no NUL), the address and
    why; hostile names are answered 401 like any other."""
    hostile = "\x00ad<min>\x1b 관리자"
    for username in (alice, "ghost", hostile):
        guess = {"username": username, "password": f"secret guess for {username}"}
        assert (await client.post("/auth/login", json=guess)).status_code == 401
    entries = (await client.get("/audit", params={"action": "login_failed"})).json()
    assert [(e["target"], e["detail"]["reason"]) for e in entries] == [
        ("\\x00ad<min>\\x1b 관리자", "unknown user"),
        ("ghost", "unknown user"),
        ("alice", "wrong password"),
    ]
    assert {(e["actor"], e["detail"]["address"]) for e in entries} == {("anonymous", "127.0.0.1")}
    assert "secret guess" not in str(entries)
    assert (
        await client.post("/auth/login", json={"username": alice, "password": PASSWORD})
    ).status_code == 200
    signed_in = (await client.get("/audit", params={"action": "login"})).json()
    assert [(e["actor"], e["detail"]) for e in signed_in] == [("alice", {"address": "127.0.0.1"})]


async def test_tokens_are_shown_once_listed_without_secret_and_revoked(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post("/auth/tokens", json={"name": "ci", "role": "tester"})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("mvt_")
    used = await client.post("/project", json={"title": "from ci"}, headers=bearer(secret))
    assert used.status_code == 201
    listed = {t["name"]: t for t in (await client.get("/auth/tokens")).json()}
    ci = listed["ci"]
    assert secret not in str(listed)
    assert ci["hint"] == f"mvt_…{secret[-4:]}"
    assert ci["role"] == "tester"
    assert ci["created_by"] == "token:test admin"
    assert ci["last_used_at"] is not None
    assert (await client.delete(f"/auth/tokens/{ci['id']}")).status_code == 204
    assert (await client.get("/project", headers=bearer(secret))).status_code == 401
    assert (await client.delete(f"/auth/tokens/{ci['id']}")).status_code == 404
    actions = [e["action"] for e in (await client.get("/audit")).json()]
    assert actions[:2] == ["revoke_token", "create_token"]


async def test_admins_manage_users(anonymous: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    """``anonymous`` signs in by cookie; the admin's calls carry the admin token."""
    admin = bearer(tokens[Role.ADMIN])
    weak = await anonymous.post(
        "/auth/users", json={"username": "eve", "password": "short"}, headers=admin
    )
    assert weak.status_code == 422
    assert weak.json()["detail"][0]["loc"] == ["body", "password"]
    body = {"username": "eve", "password": PASSWORD, "role": "viewer"}
    made = await anonymous.post("/auth/users", json=body, headers=admin)
    assert made.status_code == 201
    assert "password" not in str(made.json())
    assert (await anonymous.post("/auth/users", json=body, headers=admin)).status_code == 409
    login = {"username": "eve", "password": PASSWORD}
    assert (await anonymous.post("/auth/login", json=login)).status_code == 200
    assert (await anonymous.get("/auth/me")).json()["role"] == "viewer"
    disabled = await anonymous.patch(
        f"/auth/users/{made.json()['id']}", json={"disabled": True}, headers=admin
    )
    assert disabled.json()["disabled"] is True
    assert (await anonymous.get("/auth/me")).status_code == 401  # the open session ends too
    assert (await anonymous.post("/auth/login", json=login)).status_code == 401


async def test_every_answer_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    answer = await client.get("/project")
    csp = answer.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    docs = await client.get("/api/swagger")
    docs_csp = docs.headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline'" in docs_csp  # Swagger UI's start-up script
    assert "http" not in docs_csp  # its assets are the gateway's own: no CDN is allowed
    assert (await client.get("/api/redoc")).status_code == 404  # ReDoc would need a CDN
    assert (await client.get("/nowhere")).headers["x-frame-options"] == "DENY"
    report = await client.get("/test-history/987654321/report.html")
    assert report.headers["content-security-policy"].startswith("default-src 'none'")
    assert "script-src" not in report.headers["content-security-policy"]


async def test_the_first_admin_comes_from_the_settings(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'first.db'}")
    sessions = make_session_factory(engine)
    try:
        await upgrade(engine)
        for weak in ("admin", "password1234", "adminadminadmin1"):
            with pytest.raises(BadAdminSetting):
                await bootstrap(sessions, Settings(gateway_admin_password=SecretStr(weak)))
        with pytest.raises(BadAdminSetting, match="GATEWAY_ADMIN_TOKEN"):
            await bootstrap(sessions, Settings(gateway_admin_token=SecretStr("guessable")))
        token = "mvt_" + "k" * 20 + "0123456789abcdefghij"
        settings = Settings(
            gateway_admin_password=SecretStr(PASSWORD), gateway_admin_token=SecretStr(token)
        )
        await bootstrap(sessions, settings)
        await bootstrap(sessions, settings)  # a restart adds nothing twice
        async with sessions() as session:
            accounts = Accounts(session)
            assert [u.username for u in await accounts.users()] == ["admin"]
            assert await accounts.check_password("admin", PASSWORD) is not None
            assert await accounts.check_password("admin", "admin") is None
            principal = await accounts.by_token(token)
            assert principal is not None
            assert principal.role is Role.ADMIN
            assert len(await accounts.list_tokens()) == 1
    finally:
        await engine.dispose()


async def test_empty_admin_variables_are_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docker-compose.yml passes `${GATEWAY_ADMIN_PASSWORD:-}`: empty when the user sets none.
    An empty variable is no setting, not a weak password that stops the gateway."""
    monkeypatch.setenv("GATEWAY_ADMIN_PASSWORD", "")
    monkeypatch.setenv("GATEWAY_ADMIN_TOKEN", "")
    monkeypatch.setenv("GATEWAY_ADMIN_USERNAME", "")
    settings = Settings()
    assert settings.gateway_admin_password is None
    assert settings.gateway_admin_token is None
    assert settings.gateway_admin_username == "admin"
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        await upgrade(engine)
        await bootstrap(make_session_factory(engine), settings)  # starts, and makes no one
    finally:
        await engine.dispose()


def test_create_admin_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("GATEWAY_ADMIN_PASSWORD", "too short")
    with pytest.raises(SystemExit, match="password refused"):
        main(["create-admin", "boss"])
    monkeypatch.setenv("GATEWAY_ADMIN_PASSWORD", PASSWORD)
    main(["create-admin", "boss"])
    main(["create-admin", "boss"])
    assert capsys.readouterr().out.splitlines() == [
        "admin boss created", "admin boss exists already"
    ]  # fmt: skip
