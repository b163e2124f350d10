"""Kubernetes resource quantities ("250m", "0.5", "512Mi", "1e9") as plain numbers.

CPU becomes millicores; memory becomes MB, where 1 MB = 10^6 bytes (not MiB): "1Gi" is
1073.741824 MB, "1G" is 1000 MB. The grammar is the API server's ``resource.Quantity``: a signed
decimal number, then a binary suffix (Ki Mi Gi Ti Pi Ei), a decimal suffix (n u m "" k M G T P E)
or an exponent (``e3``, ``E-2``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}
_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+\.?\d*|\.\d+))"
    r"(?:(?P<exponent>[eE][+-]?\d+)|(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$"
)


class QuantityError(ValueError):
    """A quantity the API server would not have accepted."""


def parse_quantity(text: str | int | float) -> Decimal:
    """The quantity's value in base units (cores, bytes)."""
    if isinstance(text, int | float):
        return Decimal(str(text))
    return _parse(text)


@lru_cache(maxsize=4096)  # a namespace repeats the same few quantities in every pod and tick
def _parse(text: str) -> Decimal:
    match = _QUANTITY.match(text.strip())
    if match is None:
        raise QuantityError(f"not a Kubernetes quantity: {text!r}")
    try:
        number = Decimal(match["number"])
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise QuantityError(f"not a Kubernetes quantity: {text!r}") from error
    if match["exponent"]:
        return number.scaleb(int(match["exponent"][1:]))
    suffix = match["suffix"] or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    return number * _DECIMAL[suffix]


def cpu_millicores(text: str | int | float) -> float:
    """CPU in millicores: "250m" -> 250, "0.5" -> 500, "2" -> 2000, "12345n" -> 0.012345."""
    return float(parse_quantity(text) * 1000)


def memory_mb(text: str | int | float) -> float:
    """Memory quantity in MB (10^6 bytes): "512Mi" -> 536.870912, "1G" -> 1000, "1e9" -> 1000."""
    return float(parse_quantity(text) / 1_000_000)
