"""HTTP routes of a project's notification channels: testers and admins manage them, viewers
read them (never a secret), and anyone who may read sees what was sent and how it went."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from sqlalchemy import delete, select

from mv_gateway.auth import READ, TEST
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.database import utcnow
from mv_gateway.core.deps import SessionDep, SessionsDep, SettingsDep
from mv_gateway.core.errors import NotFoundError
from mv_gateway.projects import ProjectRepository

from . import channels
from .delivering import Courier
from .events import trial_message
from .schemas import AttemptRead, ChannelRead, ChannelWrite, DeliveryRead
from .tables import NotificationAttempt, NotificationChannel, NotificationDelivery

router = APIRouter(
    prefix="/project/{project_id}/channels", tags=["Notifications"], route_class=ParsedBodyRoute
)
ProjectId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Project id")]
ChannelId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Channel id")]


def get_courier(request: Request) -> Courier:
    courier: Courier = request.app.state.courier
    return courier


CourierDep = Annotated[Courier, Depends(get_courier)]


async def _channel(session: SessionDep, project_id: int, channel_id: int) -> NotificationChannel:
    channel = await session.get(NotificationChannel, channel_id)
    if channel is None or channel.project_id != project_id:
        raise NotFoundError("channel", channel_id)
    return channel


@router.get("", response_model=list[ChannelRead], dependencies=[READ])
async def list_channels(project_id: ProjectId, session: SessionDep) -> list[ChannelRead]:
    if not await ProjectRepository(session).exists(project_id):
        raise NotFoundError("project", project_id)
    rows = await session.scalars(
        select(NotificationChannel)
        .where(NotificationChannel.project_id == project_id)
        .order_by(NotificationChannel.id)
    )
    return [channels.shown(c) for c in rows]


@router.post("", status_code=201, response_model=ChannelRead, dependencies=[TEST])
async def create_channel(
    project_id: ProjectId, body: ChannelWrite, session: SessionDep, settings: SettingsDep
) -> ChannelRead:
    if not await ProjectRepository(session).exists(project_id):
        raise NotFoundError("project", project_id)
    channel = NotificationChannel(project_id=project_id, kind="")
    await channels.apply(session, settings, body, channel)
    session.add(channel)
    await session.flush()
    return channels.shown(channel)


@router.put("/{channel_id}", response_model=ChannelRead, dependencies=[TEST])
async def update_channel(
    project_id: ProjectId, channel_id: ChannelId, body: ChannelWrite, session: SessionDep,
    settings: SettingsDep,
) -> ChannelRead:  # fmt: skip
    channel = await _channel(session, project_id, channel_id)
    await channels.apply(session, settings, body, channel)
    await session.flush()
    return channels.shown(channel)


@router.delete("/{channel_id}", status_code=204, dependencies=[TEST])
async def delete_channel(
    project_id: ProjectId, channel_id: ChannelId, session: SessionDep
) -> Response:
    await _channel(session, project_id, channel_id)
    await session.execute(delete(NotificationChannel).where(NotificationChannel.id == channel_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{channel_id}/test", response_model=DeliveryRead, dependencies=[TEST])
async def send_test_message(
    project_id: ProjectId, channel_id: ChannelId, sessions: SessionsDep, settings: SettingsDep,
    courier: CourierDep,
) -> DeliveryRead:  # fmt: skip
    """Send one message now (no retry) and answer how it went; it is in the log too."""
    async with sessions() as session, session.begin():
        channel = await _channel(session, project_id, channel_id)
        project = await ProjectRepository(session).get(project_id)
        about = {"id": project_id, "title": project.title if project else None}
        message = trial_message(
            about, channel.name, utcnow(), settings.ui_url(f"/projects/{project_id}")
        )
        delivery = NotificationDelivery(
            channel_id=channel_id, event="test_message", events=["test_message"],
            message=message, max_attempts=1, claimed_until=utcnow() + courier.lease(),
        )  # fmt: skip
        session.add(delivery)
        await session.flush()
        delivery_id = delivery.id
    await courier.attempt(delivery_id)
    async with sessions() as session:
        return (await _deliveries(session, [delivery_id]))[0]


async def _deliveries(session: SessionDep, ids: list[int]) -> list[DeliveryRead]:
    rows = (
        await session.scalars(
            select(NotificationDelivery).where(NotificationDelivery.id.in_(ids))
            .order_by(NotificationDelivery.id.desc())
        )
    ).all()  # fmt: skip
    tries = (
        await session.scalars(
            select(NotificationAttempt).where(NotificationAttempt.delivery_id.in_(ids))
            .order_by(NotificationAttempt.id)
        )
    ).all()  # fmt: skip
    return [
        DeliveryRead(
            id=d.id, channel_id=d.channel_id, test_id=d.test_id, event=d.event, events=d.events,
            status=d.status, attempts=d.attempts, max_attempts=d.max_attempts,
            next_attempt_at=d.next_attempt_at, created_at=d.created_at, finished_at=d.finished_at,
            tries=[AttemptRead.model_validate(t) for t in tries if t.delivery_id == d.id],
        )
        for d in rows
    ]  # fmt: skip


@router.get("/{channel_id}/deliveries", response_model=list[DeliveryRead], dependencies=[READ])
async def list_deliveries(
    project_id: ProjectId, channel_id: ChannelId, session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[DeliveryRead]:  # fmt: skip
    """The channel's latest deliveries, newest first, each with its tries."""
    await _channel(session, project_id, channel_id)
    ids = (
        await session.scalars(
            select(NotificationDelivery.id).where(NotificationDelivery.channel_id == channel_id)
            .order_by(NotificationDelivery.id.desc()).limit(limit)
        )
    ).all()  # fmt: skip
    return await _deliveries(session, list(ids))
