"""Who a login comes from, and how wrong passwords slow logins down: real requests to the gateway
served by uvicorn on loopback, over a real database; plus the plain rules beneath."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from gateway_tests.conftest import database_url
from gateway_tests.served_gateway import serve_gateway, signed_in
from mv_devstack.config import StackConfig
from mv_devstack.servers import PostgreSQL
from mv_gateway.auth.limits import Backoff, address_key
from mv_gateway.core.proxies import client_host

ADMIN_PASSWORD = "a long passphrase 관리자 for the first one"
ADMIN = {"username": "admin", "password": ADMIN_PASSWORD}
WRONG = {"username": "admin", "password": "a wrong guess"}


@pytest.fixture
async def served(
    request: pytest.FixtureRequest, stack: StackConfig, postgres: PostgreSQL, tmp_path: Path
) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """A gateway with the first admin, on loopback, with the settings given as the parameter."""
    settings: dict[str, Any] = getattr(request, "param", {})
    url = database_url("postgresql", "mv_login_test", stack, postgres, tmp_path)
    async with (
        serve_gateway(stack, url, gateway_admin_password=SecretStr(ADMIN_PASSWORD), **settings) as (
            base,
            _app,
        ),
        httpx.AsyncClient(base_url=base, timeout=10) as http,
    ):
        yield base, http


def settings(**values: Any) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("served", [values], indirect=True, ids=[""])


def via(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def test_forwarded_for_is_not_believed_by_default(
    served: tuple[str, httpx.AsyncClient],
) -> None:
    """No trusted proxy: a client naming a new address in each request is still one client,
    and one claiming HTTPS over plain HTTP gets no Secure cookie."""
    _, http = served
    https = {"X-Forwarded-Proto": "https", **via("198.51.100.200")}
    signed_in = await http.post("/auth/login", json=ADMIN, headers=https)
    assert signed_in.status_code == 200
    assert "Secure" not in signed_in.headers["set-cookie"]
    for i in range(5):
        guess = {"username": f"nobody{i}", "password": "x"}
        answer = await http.post("/auth/login", json=guess, headers=via(f"198.51.100.{i}"))
        assert answer.status_code == 401
    limited = await http.post("/auth/login", json=ADMIN, headers=via("198.51.100.99"))
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 300


@settings(trusted_proxies=["127.0.0.0/8"])
async def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(
    served: tuple[str, httpx.AsyncClient],
) -> None:
    base, http = served
    for i in range(5):
        # What the client put on the left of the header changes nothing.
        forged = via(f"10.9.9.{i}, 203.0.113.7")
        guess = {"username": f"nobody{i}", "password": "x"}
        assert (await http.post("/auth/login", json=guess, headers=forged)).status_code == 401
    assert (
        await http.post("/auth/login", json=ADMIN, headers=via("203.0.113.7"))
    ).status_code == 429
    other = await http.post(
        "/auth/login",
        json=ADMIN,
        headers={"X-Forwarded-Proto": "https", **via("203.0.113.7, 203.0.113.8")},
    )
    assert other.status_code == 200, other.text
    assert "Secure" in other.headers["set-cookie"]  # the proxy's word on the scheme, too
    async with signed_in(base) as admin:
        entries = (await admin.get("/audit", params={"action": "login_failed"})).json()
    assert {e["detail"]["address"] for e in entries} == {"203.0.113.7"}


@settings(trusted_proxies=["127.0.0.1"], login_attempts=100)
async def test_wrong_passwords_cannot_lock_the_admin_out(
    served: tuple[str, httpx.AsyncClient],
) -> None:
    """An attacker's wrong passwords slow down only the attacker's address: the admin signs in
    from another one, however often the attacker starts again."""
    _, http = served
    attacker, office = via("198.51.100.66"), via("192.0.2.10")
    answers = [
        (await http.post("/auth/login", json=WRONG, headers=attacker)).status_code for _ in range(8)
    ]
    assert answers[:3] == [401, 401, 401]
    assert set(answers[3:]) == {429}  # backing off
    refused = await http.post("/auth/login", json=ADMIN, headers=attacker)
    assert refused.status_code == 429  # even with the right password, from there
    assert int(refused.headers["retry-after"]) in (1, 2)
    later = []
    for _ in range(3):
        admin = await http.post("/auth/login", json=ADMIN, headers=office)
        assert admin.status_code == 200, admin.text
        later.append((await http.post("/auth/login", json=WRONG, headers=attacker)).status_code)
    # A sign-in takes a while (argon2), so the attacker's 2 s may pass: then the next wait is 4 s.
    assert later.count(401) <= 2


@settings(trusted_proxies=["127.0.0.1"], login_attempts=100, login_backoff_after=2)
async def test_each_further_wrong_password_doubles_the_wait(
    served: tuple[str, httpx.AsyncClient],
) -> None:
    _, http = served
    attacker = via("198.51.100.66")
    for _ in range(2):
        assert (await http.post("/auth/login", json=WRONG, headers=attacker)).status_code == 401
    first = await http.post("/auth/login", json=WRONG, headers=attacker)
    assert (first.status_code, first.headers["retry-after"]) == (429, "2")
    await asyncio.sleep(2.1)
    assert (await http.post("/auth/login", json=WRONG, headers=attacker)).status_code == 401
    second = await http.post("/auth/login", json=ADMIN, headers=attacker)
    assert (second.status_code, second.headers["retry-after"]) == (429, "4")


async def test_parallel_guesses_do_not_slip_past_the_limit(
    served: tuple[str, httpx.AsyncClient],
) -> None:
    """Each guess is counted before its password is checked, so a burst gets only its share."""
    _, http = served
    guesses = [
        http.post("/auth/login", json={"username": f"n{i}", "password": "x"}) for i in range(20)
    ]
    answers = [a.status_code for a in await asyncio.gather(*guesses)]
    assert answers.count(401) == 5
    assert answers.count(429) == 15


def test_the_wait_grows_exponentially_to_its_cap_and_a_success_clears_it() -> None:
    now = [0.0]
    backoff = Backoff(free=3, max_wait=60, clock=lambda: now[0])
    waits = []
    for _ in range(9):
        waits.append(backoff.retry_after("admin\n198.51.100.1"))
        backoff.begin("admin\n198.51.100.1")
        now[0] += 100  # longer than any wait below
    assert waits == [None] * 9
    assert [backoff.wait_after(n) for n in range(9)] == [0, 0, 0, 2, 4, 8, 16, 32, 60]
    assert backoff.retry_after("admin\n192.0.2.10") is None  # another address: no wait at all
    now[0] = 800.5  # just after the ninth failure
    assert backoff.retry_after("admin\n198.51.100.1") == pytest.approx(59.5)
    backoff.succeeded("admin\n198.51.100.1")
    assert backoff.retry_after("admin\n198.51.100.1") is None


def test_a_back_off_left_alone_for_a_day_is_forgotten() -> None:
    now = [0.0]
    backoff = Backoff(free=1, max_wait=3600, clock=lambda: now[0])
    for _ in range(5):
        backoff.begin("k")
    now[0] = 10
    backoff.failed("k")  # the wait runs from the end of the attempt
    assert backoff.retry_after("k") == 32
    now[0] = 24 * 3600 + 11
    assert backoff.retry_after("k") is None
    backoff.begin("k")
    assert backoff.retry_after("k") == 2


def test_an_ipv6_client_counts_as_its_slash_64() -> None:
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:ffff::9")
    assert address_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_key("192.0.2.1") == "192.0.2.1"


def test_only_trusted_proxies_name_the_client() -> None:
    ingress = [ip_network("10.42.0.0/16"), ip_network("127.0.0.1/32")]
    assert client_host("198.51.100.1", ["6.6.6.6"], ingress) == "198.51.100.1"
    assert client_host("10.42.0.7", ["6.6.6.6, 198.51.100.1"], ingress) == "198.51.100.1"
    assert client_host("10.42.0.7", ["198.51.100.1", "10.42.0.9"], ingress) == "198.51.100.1"
    assert client_host("10.42.0.7", ["10.42.0.9"], ingress) == "10.42.0.9"  # all ours
    assert client_host("10.42.0.7", [], ingress) == "10.42.0.7"
    assert client_host("10.42.0.7", ["junk, 10.42.0.9"], ingress) == "10.42.0.9"
    assert client_host("10.42.0.7", ["[2001:db8::1]"], ingress) == "2001:db8::1"
    assert client_host("127.0.0.1", ["6.6.6.6"], []) == "127.0.0.1"  # nothing trusted
