"""How a webhook receiver knows a message is ours and fresh.

Each request carries ``X-MetricVault-Timestamp`` (Unix seconds) and ``X-MetricVault-Signature:
sha256=<hex>``, the HMAC-SHA256 under the channel's signing secret of the timestamp, a dot and
the raw body bytes. A receiver recomputes it over the body as received (before parsing it),
compares in constant time, and refuses a timestamp more than a few minutes old (a replay).
``X-MetricVault-Delivery`` is the delivery's id: the same on each retry, so a receiver can
drop a duplicate.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE = "X-MetricVault-Signature"
TIMESTAMP = "X-MetricVault-Timestamp"
DELIVERY = "X-MetricVault-Delivery"
EVENT = "X-MetricVault-Event"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, timestamp: int, body: bytes, signed: str, now: float, skew: float = 300
) -> bool:
    """The receiver's check, as documented above."""
    fresh = abs(now - timestamp) <= skew
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), signed)
