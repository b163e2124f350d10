"""Where load may be aimed: the allow-list of :mod:`mv_contracts.targets` (it also governs
what the spec-analyzer may fetch), judged here with the gateway's error."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from mv_contracts.targets import DEFAULT_ALLOWED
from mv_contracts.targets import AllowList as SharedAllowList

__all__ = ["DEFAULT_ALLOWED", "AllowList", "TargetNotAllowed", "host_of", "literal_address"]


class AllowList(SharedAllowList):
    """The shared allow-list, judged with a gateway error."""

    __slots__ = ()

    def check(self, host: str, addresses: Iterable[str]) -> None:
        """Raise :class:`TargetNotAllowed` unless ``host`` (resolved: ``addresses``) may be hit."""
        resolved = list(addresses)
        if not self.allows(host, resolved):
            raise TargetNotAllowed(host, resolved)


class TargetNotAllowed(ValueError):
    def __init__(self, host: str, addresses: Iterable[str] = ()) -> None:
        shown = ", ".join(addresses)
        resolved = f" ({shown})" if shown else ""
        super().__init__(
            f"load may not be aimed at {host}{resolved}: it is not in the allowed targets; "
            "an admin can add it (PUT /settings/allowed-targets)"
        )
        self.host = host


def host_of(url: str) -> str:
    host = urlsplit(url).hostname
    if not host:
        raise ValueError(f"no host in {url!r}")
    return host


def literal_address(host: str) -> str | None:
    """The host itself when it is an IP address (no resolution needed)."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None
