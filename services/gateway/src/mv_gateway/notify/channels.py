"""A channel written by a tester: checked (what its kind needs; its URL by the outbound policy
that every hop is judged by), its secrets sealed, a mask kept meaning "keep what is stored"."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.secrecy import SECRET_MASK
from mv_gateway.auth import allowed_entries
from mv_gateway.core.errors import FieldError
from mv_gateway.core.outbound import outbound_policy
from mv_gateway.core.settings import Settings
from mv_runtime.outbound import Unfetchable
from mv_runtime.sealing import Sealer

from .schemas import ChannelRead, ChannelWrite
from .sending import judged
from .tables import NotificationChannel


def hint(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/{SECRET_MASK}"


def shown(channel: NotificationChannel) -> ChannelRead:
    return ChannelRead(
        id=channel.id, project_id=channel.project_id, name=channel.name,
        kind=channel.kind,
        url=channel.url_hint, signing_secret=SECRET_MASK if channel.signing_secret else None,
        recipients=channel.recipients or [], events=channel.events, enabled=channel.enabled,
        created_at=channel.created_at,
    )  # fmt: skip


async def check_url(session: AsyncSession, settings: Settings, url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises on a port that is not one
    except ValueError:
        raise FieldError("url", message="not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FieldError("url", message="an http or https URL with a host")
    if parts.username is not None or parts.password is not None:
        raise FieldError("url", message="credentials in the URL are not taken: the URL itself "
                         "is kept secret, and a webhook is signed (signing_secret)")  # fmt: skip
    allowed = await allowed_entries(session, settings)
    policy = outbound_policy(settings.notify, allowed, settings.platform_services())
    try:
        await judged(policy, url)
    except Unfetchable as error:
        raise FieldError(
            "url", message=f"not an address the gateway may send to: {error.detail} (an admin "
            "allows non-public hosts with PUT /settings/allowed-targets)",
        ) from None  # fmt: skip


def _sealer(settings: Settings) -> Sealer:
    sealer = settings.sealer()
    if sealer is None:
        raise FieldError("url", message="a channel's URL and secret are kept sealed: the "
                         "gateway needs SECRETS_KEY for that")  # fmt: skip
    return sealer


async def apply(
    session: AsyncSession, settings: Settings, body: ChannelWrite,
    channel: NotificationChannel,
) -> NotificationChannel:  # fmt: skip
    """``body`` written into ``channel`` (new or stored), checked and sealed."""
    if body.kind != channel.kind and channel.kind:
        raise FieldError("kind", message="a channel keeps its kind: make a new channel")
    channel.kind, channel.name, channel.events = body.kind, body.name, list(body.events)
    channel.enabled = body.enabled
    if body.kind == "email":
        if not body.recipients:
            raise FieldError("recipients", message="an e-mail channel needs an address")
        if settings.notify.smtp.host is None:
            raise FieldError("kind", message="e-mail is not set up here (NOTIFY__SMTP__HOST)")
        channel.recipients = list(body.recipients)
        return channel
    if body.url is None or (body.url == SECRET_MASK and channel.url is None):
        raise FieldError("url", message=f"a {body.kind} channel needs its URL")
    if body.url != SECRET_MASK:
        await check_url(session, settings, body.url)
        channel.url, channel.url_hint = _sealer(settings).seal(body.url), hint(body.url)
    if body.kind == "webhook":
        secret = body.signing_secret
        if (
            secret is None
            or (secret == SECRET_MASK and channel.signing_secret is None)
            or (secret != SECRET_MASK and len(secret) < 16)
        ):
            raise FieldError("signing_secret", message="a webhook is signed: give the secret "
                             "its receiver verifies with (16 characters or more)")  # fmt: skip
        if secret != SECRET_MASK:
            channel.signing_secret = _sealer(settings).seal(secret)
    return channel
