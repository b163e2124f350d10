"""Error bodies that stay small and valid JSON, whatever the input was.

A 422 tells which field failed and why; echoing the input back (FastAPI's default) sent 26 MB
back for a 25 MB document, and an input holding NaN could not be serialised at all (a 500 and
a dropped connection). Inputs are kept when short, else cut to a preview.
"""

from __future__ import annotations

import json
import math
import reprlib
from collections.abc import Sequence
from typing import Any

from starlette.types import Send

MAX_INPUT_CHARS = 200
MAX_ERRORS = 20


# Encodes lazily (iterencode), so a preview of a huge input costs its first few hundred
# characters, not the whole input (a 30 MiB array echoed by a 422 took seconds).
_PREVIEW = json.JSONEncoder(allow_nan=False, default=str, ensure_ascii=False)


def _safe(value: Any) -> Any:
    """JSON-safe and short: non-finite floats become text, long values a cut preview."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str) and len(value) > MAX_INPUT_CHARS:
        return json.dumps(value[:MAX_INPUT_CHARS], ensure_ascii=False)[:MAX_INPUT_CHARS] + (
            f"... ({len(value) + 2} characters)"
        )
    chunks: list[str] = []
    size = 0
    try:
        for chunk in _PREVIEW.iterencode(value):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_INPUT_CHARS:
                break
    except (TypeError, ValueError):
        return reprlib.repr(value)[:MAX_INPUT_CHARS]
    encoded = "".join(chunks)
    if size <= MAX_INPUT_CHARS:
        return json.loads(encoded)
    return encoded[:MAX_INPUT_CHARS] + "... (cut)"


def safe_errors(errors: Sequence[Any]) -> list[Any]:
    """Validation errors (``loc``, ``msg``, ``type``, ``input``, ``ctx``) made small and safe."""
    kept: list[Any] = []
    for error in list(errors)[:MAX_ERRORS]:
        if not isinstance(error, dict):
            kept.append(_safe(error))
            continue
        item = {k: error[k] for k in ("loc", "msg", "type") if k in error}
        item["loc"] = [_safe(part) for part in item.get("loc", ())]
        if "msg" in item:
            item["msg"] = str(item["msg"])[:1000]
        if "input" in error:
            item["input"] = _safe(error["input"])
        if "ctx" in error:
            item["ctx"] = {str(k): _safe(v) for k, v in dict(error["ctx"]).items()}
        kept.append(item)
    if len(errors) > MAX_ERRORS:
        more = f"... and {len(errors) - MAX_ERRORS} more errors"
        kept.append({"loc": ["body"], "msg": more, "type": "too_many_errors"})  # schema-shaped
    return kept


def safe_detail(detail: Any) -> Any:
    if isinstance(detail, str):
        return detail[:4000]
    if isinstance(detail, list | tuple):
        return safe_errors(detail)
    if isinstance(detail, dict):
        return {str(k): v[:4000] if isinstance(v, str) else _safe(v) for k, v in detail.items()}
    return _safe(detail)


async def json_error(
    send: Send, status: int, detail: Any, headers: dict[str, str] | None = None
) -> None:
    """Answer ``{"detail": ...}`` from ASGI middleware (no request object there)."""
    body = json.dumps({"detail": safe_detail(detail)}, ensure_ascii=False).encode()
    extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
