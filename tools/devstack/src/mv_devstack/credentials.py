"""The local stack's admin: created by the gateway on its first start from a generated
password (printed once, stored nowhere), and an admin API token in ``MV_DIR/admin-token``
(mode 600) that the demo, the devstack tools, the tests and local scripts send.

The gateway registers the token from GATEWAY_ADMIN_TOKEN at every start, so the file keeps
working across restarts; the password only matters while no user exists.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass

from .config import StackConfig

ADMIN_USERNAME = "admin"
# The prefix of mv_gateway.auth.tokens (a tool talks to the gateway, never imports it).
TOKEN_PREFIX = "mvt_"  # noqa: S105 -- a prefix, not a secret


@dataclass(frozen=True)
class AdminCredentials:
    token: str
    password: str | None  # only when just made: the first start of this stack

    def gateway_environment(self) -> dict[str, str]:
        env = {"GATEWAY_ADMIN_USERNAME": ADMIN_USERNAME, "GATEWAY_ADMIN_TOKEN": self.token}
        if self.password is not None:
            env["GATEWAY_ADMIN_PASSWORD"] = self.password
        return env


def ensure_admin(config: StackConfig) -> AdminCredentials:
    """The stack's token, made (with a first password) when the stack has none yet."""
    path = config.admin_token_file
    if path.exists():
        return AdminCredentials(path.read_text().strip(), None)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    password = secrets.token_urlsafe(18)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(token + "\n")
    return AdminCredentials(token, password)


# The services that seal and open secret values (plans, run commands) share this key.
SEALING_SERVICES = ("gateway", "test-runner")


def ensure_secrets_key(config: StackConfig) -> str:
    """The stack's SECRETS_KEY (a Fernet key: 32 random bytes, base64url), made once and kept
    in ``MV_DIR/secrets-key`` (mode 600), so sealed plans open after a restart."""
    path = config.secrets_key_file
    if path.exists():
        return path.read_text().strip()
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    return key
