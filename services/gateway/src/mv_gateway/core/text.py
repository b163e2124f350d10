"""Text that every reader can hold: XML 1.0 documents, HTML parsers, PostgreSQL, UTF-8.

User text (a scenario's name, a test's title, a user name as typed at the login form) may hold
characters XML 1.0 forbids outright (C0 controls but tab, newline and carriage return; lone
surrogates; U+FFFE, U+FFFF), ones HTML calls parse errors (DEL and the C1 controls), or NUL,
which PostgreSQL text cannot store. Each is written as a visible escape (``\\x1b``, ``\\ud800``)
instead, so the name stays recognisable and the document stays well-formed.
"""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every character named above written as its escape; others unchanged."""
    return _UNPRINTABLE.sub(_escape, text)
