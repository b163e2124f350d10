"""Which hosts the platform may reach on a tester's word: one allow-list of host names, domains
and networks, set by an admin in the gateway. It governs where load may be aimed and which
non-public addresses the spec-analyzer may fetch from, so it is defined here, once.

A host is allowed when its name matches a name entry (``localhost``, ``*.svc.cluster.local``),
or when every address the name resolves to lies in an allowed network. Resolution is the
caller's (it is I/O); this module only judges.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Loopback for the local demo; the cluster's service names for in-cluster services.
DEFAULT_ALLOWED = ("127.0.0.0/8", "::1/128", "localhost", "*.svc", "*.svc.cluster.local")
MAX_ENTRIES = 1000


@dataclass(frozen=True, slots=True)
class AllowList:
    names: tuple[str, ...]
    networks: tuple[Network, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Self:
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

    def allows(self, host: str, addresses: Iterable[str]) -> bool:
        """Whether ``host`` (resolved: ``addresses``) may be reached."""
        resolved = list(addresses)
        if self.name_allowed(host):
            return True
        return bool(resolved) and all(self.address_allowed(a) for a in resolved)


def _valid_name(entry: str) -> bool:
    name = entry[2:] if entry.startswith("*.") else entry
    labels = name.split(".")
    return all(label and len(label) <= 63 and label.replace("-", "").isalnum() for label in labels)
