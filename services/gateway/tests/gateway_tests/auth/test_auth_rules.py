"""The plain parts of access control: hashes, tokens, roles, login limits, allowed targets."""

from __future__ import annotations

import pytest

from mv_gateway.auth.limits import AttemptLimiter
from mv_gateway.auth.passwords import (
    WeakPassword,
    check_strength,
    hash_password,
    verify_password,
)
from mv_gateway.auth.roles import Permission, Role, allows
from mv_gateway.auth.targets import (
    DEFAULT_ALLOWED,
    AllowList,
    TargetNotAllowed,
    host_of,
    literal_address,
)
from mv_gateway.auth.tokens import TOKEN_PREFIX, digest, hint, new_secret


def test_passwords_are_hashed_with_argon2_and_verified() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse batterY")
    assert not verify_password("not a hash", "anything")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "12 characters"),
        ("aaaaaaaaaaaaaa", "different"),
        ("admin-is-my-name", "user name"),
    ],
)
def test_weak_passwords_are_refused(password: str, reason: str) -> None:
    with pytest.raises(WeakPassword, match=reason):
        check_strength(password, username="admin")


def test_tokens_are_random_and_only_their_digest_is_kept() -> None:
    a, b = new_secret(TOKEN_PREFIX), new_secret(TOKEN_PREFIX)
    assert a != b
    assert a.startswith("mvt_")
    assert len(a) > 40
    assert digest(a) != digest(b)
    assert len(digest(a)) == 64
    assert hint(a) == f"mvt_…{a[-4:]}"


def test_roles() -> None:
    assert allows(Role.VIEWER, Permission.READ)
    assert not allows(Role.VIEWER, Permission.TEST)
    assert allows(Role.TESTER, Permission.TEST)
    assert not allows(Role.TESTER, Permission.ADMIN)
    assert all(allows(Role.ADMIN, p) for p in Permission)


def test_login_attempts_are_limited_in_a_window() -> None:
    now = [0.0]
    limiter = AttemptLimiter(attempts=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("user:admin", "ip:1.2.3.4") is None
        limiter.failed("user:admin", "ip:1.2.3.4")
    assert limiter.retry_after("user:admin") == 60
    assert limiter.retry_after("ip:1.2.3.4", "user:other") == 60
    now[0] = 30
    assert limiter.retry_after("user:admin") == 30
    now[0] = 60.5
    assert limiter.retry_after("user:admin") is None
    limiter.failed("user:admin")
    limiter.take_back("user:admin")
    assert limiter.retry_after("user:admin") is None


def test_default_targets_keep_the_demo_and_the_cluster_and_refuse_the_rest() -> None:
    allowed = AllowList.parse(DEFAULT_ALLOWED)
    allowed.check("127.0.0.1", ["127.0.0.1"])
    allowed.check("localhost", ["127.0.0.1", "::1"])
    allowed.check("shop.test.svc.cluster.local", [])
    allowed.check("shop.test.svc", ["10.43.0.12"])
    allowed.check("demo.internal", ["127.0.1.1"])  # a name that resolves to loopback
    for host, addresses in (
        ("example.com", ["93.184.216.34"]),
        ("10.0.0.5", ["10.0.0.5"]),
        ("evil.svc.cluster.local.example.com", ["203.0.113.9"]),
        ("mixed.example", ["127.0.0.1", "203.0.113.9"]),  # one address outside is enough
        ("unresolvable.example", []),
    ):
        with pytest.raises(TargetNotAllowed, match=host):
            allowed.check(host, addresses)


def test_allow_list_entries_are_validated() -> None:
    allowed = AllowList.parse(["10.20.0.0/16", "api.example.com", "*.staging.example.com"])
    allowed.check("10.20.3.4", ["10.20.3.4"])
    allowed.check("api.example.com", ["198.51.100.7"])
    allowed.check("a.b.staging.example.com", [])
    with pytest.raises(ValueError, match="not a host name"):
        AllowList.parse(["http://x/"])


def test_hosts_of_urls() -> None:
    assert host_of("http://user:pw@Shop.Test.svc:8080/api") == "shop.test.svc"
    assert literal_address("[::1]") == "::1"
    assert literal_address("shop") is None
    with pytest.raises(ValueError, match="no host"):
        host_of("/relative")
