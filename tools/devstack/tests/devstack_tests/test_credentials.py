"""The local stack's admin: a token file of mode 600 made once, a password only that once."""

from __future__ import annotations

import stat
from pathlib import Path

from mv_devstack.config import StackConfig
from mv_devstack.credentials import ensure_admin, ensure_secrets_key
from mv_runtime.sealing import Sealer


def test_the_first_start_makes_a_token_and_a_password_later_ones_reuse_the_token(
    tmp_path: Path,
) -> None:
    config = StackConfig(dir=tmp_path / "stack")
    first = ensure_admin(config)
    assert first.token.startswith("mvt_")
    assert len(first.token) >= 4 + 43  # 32 random bytes, URL-safe base64
    assert first.password is not None
    assert len(first.password) >= 20
    assert stat.S_IMODE(config.admin_token_file.stat().st_mode) == 0o600
    assert config.admin_headers() == {"Authorization": f"Bearer {first.token}"}
    env = first.gateway_environment()
    assert env["GATEWAY_ADMIN_PASSWORD"] == first.password
    assert env["GATEWAY_ADMIN_TOKEN"] == first.token

    again = ensure_admin(config)
    assert again.token == first.token
    assert again.password is None  # printed once; the gateway has made the user by now
    assert "GATEWAY_ADMIN_PASSWORD" not in again.gateway_environment()


def test_the_secrets_key_is_made_once_mode_600_and_is_a_fernet_key(tmp_path: Path) -> None:
    config = StackConfig(dir=tmp_path / "stack")
    key = ensure_secrets_key(config)
    assert stat.S_IMODE(config.secrets_key_file.stat().st_mode) == 0o600
    assert ensure_secrets_key(config) == key  # kept: sealed plans open after a restart
    sealer = Sealer.of(key)  # what the gateway and the test-runner read from SECRETS_KEY
    assert sealer.open(sealer.seal("s3cret")) == "s3cret"
