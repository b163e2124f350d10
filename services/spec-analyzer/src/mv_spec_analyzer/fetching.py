"""Outbound HTTP for the analyzer: every hop judged by the fetch policy (:mod:`.policy`),
size and time capped.

The connection goes to the address the policy checked (the host name is kept for the ``Host``
header and TLS), so a name that resolves differently a moment later cannot slip past it.
Redirects are followed here, one hop at a time, each hop checked again; credentials of the URL
go to its own origin only.

A URL that gave no HTTP answer fails with one reason, whether it was blocked, does not resolve,
has nothing listening, speaks something else than HTTP or is too slow: told apart, these would
let a tester map what listens on the analyzer's network. The log keeps the detail.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpx
import structlog

from mv_contracts.spec import FailureKind

from .credentials import carry_credentials, origin, redact
from .errors import AnalysisError, Unfetchable
from .guarding import resolve
from .policy import FetchPolicy

log = structlog.get_logger()

USER_AGENT = "metric-vault-spec-analyzer/0.1"
ACCEPT = (
    "application/json, application/yaml, application/x-yaml, text/yaml, "
    "application/vnd.oai.openapi, text/html;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 20 * 1024 * 1024
    timeout: float = 20.0
    max_redirects: int = 5


class Fetcher:
    """GETs URLs under a :class:`.policy.FetchPolicy` and :class:`FetchLimits`."""

    def __init__(self, policy: FetchPolicy, limits: FetchLimits) -> None:
        self.policy = policy
        self.limits = limits
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(limits.timeout),
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
            trust_env=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(self, url: str, *, same_origin: bool = False) -> Fetched:
        """The final answer after redirects, whatever its status; with ``same_origin``, a
        redirect to another origin is not followed."""
        try:
            async with asyncio.timeout(self.limits.timeout):
                return await self._follow(url, same_origin)
        except TimeoutError:
            detail = f"no answer within {self.limits.timeout:g} s"
        except Unfetchable as error:
            detail = error.detail
        log.info("fetch failed", url=redact(url), detail=redact(detail))
        raise AnalysisError(FailureKind.UNREACHABLE, unfetchable(url))

    async def get_ok(self, url: str, *, same_origin: bool = False) -> Fetched:
        """Like :meth:`get`, but an error status is an :class:`AnalysisError`."""
        fetched = await self.get(url, same_origin=same_origin)
        if fetched.status == 404:
            raise AnalysisError(FailureKind.NOT_FOUND, f"{fetched.url} answered 404 Not Found")
        if not fetched.ok:
            raise AnalysisError(
                FailureKind.UNREACHABLE, f"{fetched.url} answered HTTP {fetched.status}"
            )
        return fetched

    async def _follow(self, url: str, same_origin: bool) -> Fetched:
        seen: list[str] = []
        for _ in range(self.limits.max_redirects + 1):
            if url in seen:
                raise AnalysisError(
                    FailureKind.REDIRECT_LOOP, f"redirect loop: {' -> '.join([*seen, url])}"
                )
            seen.append(url)
            fetched, location = await self._one(url)
            if location is None:
                return fetched
            following = urljoin(url, location)
            if same_origin and origin(following) != origin(seen[0]):
                raise AnalysisError(
                    FailureKind.UNREACHABLE, f"{url} redirects to another origin, not followed"
                )
            url = carry_credentials(url, following)
        raise AnalysisError(
            FailureKind.REDIRECT_LOOP,
            f"more than {self.limits.max_redirects} redirects starting at {seen[0]}",
        )

    async def _one(self, url: str) -> tuple[Fetched, str | None]:
        parts = urlsplit(url)
        if not parts.hostname:
            raise Unfetchable("no host")
        host = parts.hostname
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as error:
            raise Unfetchable("not a port") from error
        addresses = await resolve(host, port)
        await self.policy.check(parts.scheme, host, port, addresses)
        address = addresses[0]
        literal = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
        pinned = urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
        headers = {"Host": parts.netloc.rsplit("@", 1)[-1]}
        if parts.username is not None:
            # The pinned URL has no userinfo: credentials in the URL travel as Basic auth, only
            # to this origin (see carry_credentials for the hops after it).
            user = unquote(parts.username)
            secret = f"{user}:{unquote(parts.password or '')}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(secret).decode("ascii")
        request = self._client.build_request(
            "GET", pinned, headers=headers, extensions={"sni_hostname": host}
        )
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as error:
            raise Unfetchable(f"{type(error).__name__}: {error}") from error
        try:
            if response.is_redirect and "location" in response.headers:
                return self._fetched(url, response, b""), response.headers["location"]
            body = await self._read(url, response)
        except httpx.TimeoutException as error:
            raise AnalysisError(
                FailureKind.TIMEOUT, f"{url} did not finish within {self.limits.timeout:g} s"
            ) from error
        except httpx.HTTPError as error:
            raise AnalysisError(
                FailureKind.UNREACHABLE, f"reading {url} failed: {error}"
            ) from error
        finally:
            await response.aclose()
        return self._fetched(url, response, body), None

    async def _read(self, url: str, response: httpx.Response) -> bytes:
        limit = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise AnalysisError(
                FailureKind.TOO_LARGE,
                f"{url} is {declared} bytes, more than the limit of {limit}",
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise AnalysisError(
                    FailureKind.TOO_LARGE, f"{url} sent more than the limit of {limit} bytes"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _fetched(url: str, response: httpx.Response, body: bytes) -> Fetched:
        return Fetched(url, response.status_code, response.headers.get("content-type", ""), body)


def unfetchable(url: str) -> str:
    """The one reason for a URL that gave no HTTP answer."""
    return (
        f"could not fetch the document at {url}: no HTTP answer (nothing that answers HTTP "
        "there in time, or not an address the analyzer may fetch from; an admin allows "
        "targets with PUT /settings/allowed-targets)"
    )
