"""Spec URLs that a documentation page computes from its own address, worked out as a browser
would, for the common forms only.

Swagger UI pages often build the document's URL from ``window.location`` (swagger-petstore:
``window.location.protocol + "//" + window.location.host + "/api/v3/openapi.json"``, directly or
through a variable assigned in the same script), or give it as a template literal
(`` `${window.location.origin}/openapi.json` ``) or a relative string. An expression here is
string literals, template literals and names joined with ``+``; a name is a part of the page's
location or a variable assigned such an expression. Anything else is not evaluated: no script
is ever run.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from .credentials import carry_credentials

_STRING = r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`"""
_NAME = r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*"
_TERM = rf"(?:{_STRING}|{_NAME})"
EXPRESSION = rf"{_TERM}(?:\s*\+\s*{_TERM})*"
_TERMS = re.compile(_TERM)
_PLACEHOLDER = re.compile(r"\$\{\s*(" + _NAME + r")\s*\}")
_LOCATION = re.compile(
    r"(?:(?:window|self|globalThis|top)\.)?(?:document\.)?location\."
    r"(protocol|host|hostname|port|origin|href|pathname|search|hash)"
)
_ASSIGNMENT = re.compile(rf"(?<![\w$.])([A-Za-z_$][\w$]*)\s*=(?![=>])\s*({EXPRESSION})")
MAX_DEPTH = 4  # variables naming variables; a cycle stops here
MAX_ASSIGNMENTS = 4  # tried per variable, so the work stays bounded (at most 4**4 evaluations)


def location_parts(page_url: str) -> dict[str, str]:
    """``window.location``'s parts for a page at ``page_url`` (a browser shows no credentials)."""
    parts = urlsplit(page_url)
    host = parts.netloc.rsplit("@", 1)[-1]
    origin = f"{parts.scheme}://{host}"
    return {
        "protocol": f"{parts.scheme}:",
        "host": host,
        "hostname": parts.hostname or "",
        "port": str(parts.port or ""),
        "origin": origin,
        "href": urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)),
        "pathname": parts.path or "/",
        "search": f"?{parts.query}" if parts.query else "",
        "hash": f"#{parts.fragment}" if parts.fragment else "",
    }


class Evaluator:
    """Evaluates expressions found in ``text``, a page or script shown at ``page_url``."""

    def __init__(self, text: str, page_url: str) -> None:
        self.text = text
        self.page_url = page_url
        self.location = location_parts(page_url)
        self._assigned: dict[str, list[str]] | None = None

    def url(self, expression: str) -> str | None:
        """The absolute URL ``expression`` names, or None when it is not of a known form."""
        value = self.value(expression, MAX_DEPTH)
        if not value:
            return None
        return carry_credentials(self.page_url, urljoin(self.page_url, value))

    def value(self, expression: str, depth: int) -> str | None:
        pieces: list[str] = []
        for term in _TERMS.findall(expression):
            piece = self._term(term, depth)
            if piece is None:
                return None
            pieces.append(piece)
        return "".join(pieces) if pieces else None

    def _term(self, term: str, depth: int) -> str | None:
        if term[0] in "\"'":
            return re.sub(r"\\(.)", r"\1", term[1:-1])
        if term[0] == "`":
            unknown = False

            def substitute(match: re.Match[str]) -> str:
                nonlocal unknown
                value = self._name(match[1], depth)
                unknown = unknown or value is None
                return value or ""

            filled = _PLACEHOLDER.sub(substitute, term[1:-1])
            return None if unknown or "${" in filled else filled
        return self._name(term, depth)

    def _name(self, name: str, depth: int) -> str | None:
        location = _LOCATION.fullmatch(name)
        if location:
            return self.location[location[1]]
        if depth <= 0 or "." in name:
            return None
        for assigned in self._assignments(name):
            value = self.value(assigned, depth - 1)
            if value is not None:
                return value
        return None

    def _assignments(self, name: str) -> list[str]:
        """The first expressions assigned to variable ``name`` in the text (``var``/``let``/
        ``const`` or a bare assignment), in order; the text is read once for every name."""
        if self._assigned is None:
            self._assigned = {}
            for match in _ASSIGNMENT.finditer(self.text):
                found = self._assigned.setdefault(match[1], [])
                if len(found) < MAX_ASSIGNMENTS:
                    found.append(match[2])
        return self._assigned.get(name, [])
