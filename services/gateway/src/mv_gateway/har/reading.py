"""A HAR document read into plain entries, every bound checked before the entries are walked.

Bounds, one place each: :data:`MAX_HAR_BYTES` (the upload; checked on the declared length and on
what arrived, before it is parsed) and :data:`MAX_ENTRIES` (checked before any entry is read).
A document of the wrong shape is a 422 naming the field (``log.entries.3.request.url``) and
why, without echoing its values: a HAR holds tokens and cookies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mv_gateway.core.errors import FieldError, GatewayError, InvalidRequest
from mv_gateway.core.parsing import BodyRefused, parse

MAX_HAR_BYTES = 16 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_BODY_CHARS = 1024 * 1024
"""A request or answer body longer than this is not read for JSON (nor correlated)."""
BODY_DEPTH = 32


class HarTooLarge(GatewayError):
    status_code = 413

    def __init__(self, size: int) -> None:
        super().__init__(f"the HAR file is {size} bytes; the limit is {MAX_HAR_BYTES}")


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Pair(_Loose):
    name: str = Field(max_length=10_000)
    value: str = Field(max_length=MAX_BODY_CHARS)


class _PostData(_Loose):
    mimeType: str = Field(default="", max_length=1000)
    text: str | None = Field(default=None, max_length=MAX_HAR_BYTES)


class _Request(_Loose):
    method: str = Field(min_length=1, max_length=20)
    url: str = Field(min_length=1, max_length=100_000)
    headers: list[_Pair] = Field(default_factory=list, max_length=1000)
    postData: _PostData | None = None


class _Content(_Loose):
    mimeType: str = Field(default="", max_length=1000)
    text: str | None = Field(default=None, max_length=MAX_HAR_BYTES)
    encoding: str | None = Field(default=None, max_length=100)


class _Response(_Loose):
    status: int = Field(default=0, ge=-1, le=999)
    headers: list[_Pair] = Field(default_factory=list, max_length=1000)
    content: _Content = Field(default_factory=_Content)


class _Entry(_Loose):
    startedDateTime: datetime
    time: float = Field(default=0, ge=-1, le=86_400_000)
    request: _Request
    response: _Response = Field(default_factory=_Response)
    resourceType: str | None = Field(default=None, alias="_resourceType", max_length=100)


@dataclass(frozen=True)
class Entry:
    """One recorded request and its answer, as the converter needs them."""

    index: int
    method: str
    url: SplitResult
    started: float  # seconds since 1970
    seconds: float  # how long it took
    headers: list[tuple[str, str]]
    body_mime: str
    body_text: str | None
    status: int
    response_headers: list[tuple[str, str]]
    response_mime: str
    response_text: str | None
    resource_type: str | None

    @property
    def host(self) -> str:
        return self.url.netloc.rpartition("@")[2].lower()


def _errors(error: ValidationError, at: tuple[str | int, ...]) -> list[dict[str, Any]]:
    # Without pydantic's "input": it would echo a header's token or a cookie.
    return [
        {"loc": ["body", *at, *e["loc"]], "msg": e["msg"], "type": e["type"]}
        for e in error.errors(include_url=False)[:20]
    ]


def parse_har(body: bytes, max_depth: int) -> Any:
    """The JSON of an upload of at most :data:`MAX_HAR_BYTES`, parsed strictly."""
    if len(body) > MAX_HAR_BYTES:
        raise HarTooLarge(len(body))
    if not body.strip():
        raise FieldError("har", message="the body is empty: send the HAR file")
    try:
        return parse(body, max_depth)
    except BodyRefused as refused:
        raise InvalidRequest(refused.errors) from None


def read_entries(document: Any) -> list[Entry]:
    """The entries of a HAR document (``{"log": {"entries": [...]}}``), in recorded order."""
    log = document.get("log") if isinstance(document, dict) else None
    if not isinstance(log, dict):
        raise FieldError("log", message="not a HAR file: it has no log object")
    raw = log.get("entries")
    if not isinstance(raw, list):
        raise FieldError("log", "entries", message="not a HAR file: log.entries is no list")
    if len(raw) > MAX_ENTRIES:
        raise FieldError(
            "log", "entries", message=f"{len(raw)} requests; a HAR may hold at most {MAX_ENTRIES}"
        )
    entries: list[Entry] = []
    for index, item in enumerate(raw):
        at = ("log", "entries", index)
        try:
            entry = _Entry.model_validate(item)
        except ValidationError as error:
            raise InvalidRequest(_errors(error, at)) from None
        entries.append(_plain(index, entry, at))
    entries.sort(key=lambda e: (e.started, e.index))
    return entries


def _plain(index: int, entry: _Entry, at: tuple[str | int, ...]) -> Entry:
    try:
        url = urlsplit(entry.request.url.strip())
        url.port  # noqa: B018 -- raises for a port that is not a number
    except ValueError as error:
        raise FieldError(*at, "request", "url", message=f"not a URL: {error}") from None
    started = entry.startedDateTime
    if started.tzinfo is None:  # HAR says ISO 8601 with a zone; a bare time is taken as UTC
        started = started.replace(tzinfo=UTC)
    post = entry.request.postData
    content = entry.response.content
    text = content.text
    if text is not None and (content.encoding or "").lower() == "base64":
        text = None  # a binary answer: nothing to correlate in it
    return Entry(
        index=index,
        method=entry.request.method.upper(),
        url=url,
        started=started.timestamp(),
        seconds=max(entry.time, 0) / 1000,
        headers=[(h.name, h.value) for h in entry.request.headers],
        body_mime=(post.mimeType if post else "").split(";")[0].strip().lower(),
        body_text=post.text if post else None,
        status=entry.response.status,
        response_headers=[(h.name, h.value) for h in entry.response.headers],
        response_mime=content.mimeType.split(";")[0].strip().lower(),
        response_text=text,
        resource_type=entry.resourceType,
    )


def json_of(text: str | None) -> Any:
    """A body's JSON, or None when it is not JSON (or too deep, too long, not finite)."""
    if not text or len(text) > MAX_BODY_CHARS or text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        return parse(text.encode("utf-8", "surrogatepass"), BODY_DEPTH)
    except BodyRefused:
        return None
