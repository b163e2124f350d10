"""Where load may be aimed: an allow-list of host names, domains and networks.

A base URL is allowed when its host name matches a name entry (``localhost``,
``*.svc.cluster.local``), or when every address the name resolves to lies in an allowed
network. Resolution is the caller's (it is I/O); this module only judges.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Loopback for the local demo; the cluster's service names for in-cluster services.
DEFAULT_ALLOWED = ("127.0.0.0/8", "::1/128", "localhost", "*.svc", "*.svc.cluster.local")


class TargetNotAllowed(ValueError):
    def __init__(self, host: str, addresses: Iterable[str] = ()) -> None:
        shown = ", ".join(addresses)
        resolved = f" ({shown})" if shown else ""
        super().__init__(
            f"load may not be aimed at {host}{resolved}: it is not in the allowed targets; "
            "an admin can add it (PUT /settings/allowed-targets)"
        )
        self.host = host


@dataclass(frozen=True, slots=True)
class AllowList:
    names: tuple[str, ...]
    networks: tuple[Network, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        names, networks = [], []
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                if not _valid_name(entry):
                    raise ValueError(
                        f"not a host name, domain pattern or network: {raw!r}"
                    ) from None
                names.append(entry)
        return cls(tuple(names), tuple(networks))

    def name_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for name in self.names:
            if name.startswith("*."):
                if host.endswith(name[1:]):
                    return True
            elif host == name:
                return True
        return False

    def address_allowed(self, address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        return any(ip in network for network in self.networks if network.version == ip.version)

    def check(self, host: str, addresses: Iterable[str]) -> None:
        """Raise :class:`TargetNotAllowed` unless ``host`` (resolved: ``addresses``) may be hit."""
        resolved = list(addresses)
        if self.name_allowed(host):
            return
        if resolved and all(self.address_allowed(a) for a in resolved):
            return
        raise TargetNotAllowed(host, resolved)


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


def _valid_name(entry: str) -> bool:
    name = entry[2:] if entry.startswith("*.") else entry
    labels = name.split(".")
    return all(label and len(label) <= 63 and label.replace("-", "").isalnum() for label in labels)
