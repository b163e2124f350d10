"""The operator's networks: which addresses an outbound fetch may never connect to. Defined
once for every service that reaches out (:mod:`mv_runtime.outbound`); named here for the
analyzer's modules."""

from mv_runtime.outbound import DEFAULT_DENY, AddressPolicy, IPAddress, IPNetwork, plain, resolve

__all__ = ["DEFAULT_DENY", "AddressPolicy", "IPAddress", "IPNetwork", "plain", "resolve"]
