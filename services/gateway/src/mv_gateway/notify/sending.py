"""One attempt to hand a message to a receiver, judged by the outbound policy first.

Each attempt resolves the host, judges every address by :class:`mv_runtime.outbound.
FetchPolicy` (the one the spec analyzer fetches by) and connects to the address it judged
(pinned, the host name kept for TLS and ``Host``), so a name that changes its answer between
the check and the connection reaches nothing it was not judged for. A redirect is an answer
like any other and is not followed: a 3xx is a failed attempt.
"""

from __future__ import annotations

import asyncio
import ipaddress
import smtplib
import time
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit, urlunsplit

import httpx

from mv_runtime.outbound import FetchPolicy, Unfetchable, resolve

ANSWER_CHARS = 500


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    status_code: int | None
    answer: str | None
    duration_ms: int


def _since(start: float) -> int:
    return int((time.monotonic() - start) * 1000)


async def judged(policy: FetchPolicy, url: str) -> tuple[str, dict[str, str], str]:
    """The URL pinned to the address the policy judged, its ``Host`` header and the host name
    (for TLS); raises :class:`Unfetchable` with the reason."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise Unfetchable("no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise Unfetchable("not a port") from error
    addresses = await resolve(host, port)
    await policy.check(parts.scheme, host, port, addresses)
    address = addresses[0]
    literal = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    pinned = urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
    return pinned, {"Host": parts.netloc.rsplit("@", 1)[-1]}, host


async def post(
    client: httpx.AsyncClient, policy: FetchPolicy, url: str, body: bytes,
    headers: dict[str, str],
) -> Outcome:  # fmt: skip
    start = time.monotonic()
    try:
        pinned, host_header, host = await judged(policy, url)
    except Unfetchable as error:
        return Outcome(
            False, None, f"refused by the outbound policy: {error.detail}", _since(start)
        )
    request = client.build_request(
        "POST", pinned, content=body,
        headers={**headers, **host_header, "Content-Type": "application/json"},
        extensions={"sni_hostname": host},
    )  # fmt: skip
    try:
        response = await client.send(request)
    except httpx.HTTPError as error:
        return Outcome(
            False, None, f"{type(error).__name__}: {error}"[:ANSWER_CHARS], _since(start)
        )
    ok = 200 <= response.status_code < 300
    return Outcome(ok, response.status_code, response.text[:ANSWER_CHARS], _since(start))


@dataclass(frozen=True, slots=True)
class Smtp:
    host: str
    port: int
    sender: str
    username: str | None
    password: str | None
    starttls: bool
    timeout: float


def _send_mail(smtp: Smtp, message: EmailMessage) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as server:
        if smtp.starttls:
            server.starttls()
        if smtp.username:
            server.login(smtp.username, smtp.password or "")
        server.send_message(message)


async def mail(smtp: Smtp, to: list[str], subject: str, text: str) -> Outcome:
    """One e-mail over SMTP; smtplib blocks, so it runs in a thread."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = smtp.sender, ", ".join(to), subject
    message.set_content(text)
    start = time.monotonic()
    try:
        await asyncio.to_thread(_send_mail, smtp, message)
    except (OSError, smtplib.SMTPException) as error:
        return Outcome(
            False, None, f"{type(error).__name__}: {error}"[:ANSWER_CHARS], _since(start)
        )
    return Outcome(True, None, "accepted by the SMTP server", _since(start))
