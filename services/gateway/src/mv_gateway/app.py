"""The gateway's FastAPI application: the features' routes and bus handlers over the shared
plumbing. A feature joins by one ``include_router`` line (and its ``register`` call if it
handles bus messages); everything it needs at request time is on ``app.state``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts.lifecycle import RunStatus
from mv_contracts.metrics import FIGURE_NAMES, MetricFigures
from mv_contracts.subjects import ANALYSE_SPEC
from mv_runtime.bus import make_broker

from . import datafiles
from .auth import admin_routes as auth_admin
from .auth import routes as auth
from .auth.admission import RouteAdmission
from .auth.bootstrap import bootstrap
from .auth.headers import SecurityHeaders
from .auth.limits import AttemptLimiter, Backoff
from .auth.streams import StreamSlots
from .auth.usage import TokenUsage
from .core.bodies import BodyLimits, BodyRules
from .core.database import utcnow
from .core.engine import make_engine, make_session_factory
from .core.errors import install_error_handlers
from .core.migrate import upgrade
from .core.once import ProcessedMessages
from .core.outbox import Outbox
from .core.proxies import ForwardedFor
from .core.settings import Settings
from .har import routes as har
from .health import Heartbeats, Probes, metrics_path_of
from .health import register as hear_heartbeats
from .health import routes as health
from .history import ACTIVE, TestRuns, lifecycle, purge_project_points, resources, summaries
from .history import analysis_routes as analysis_settings
from .history import routes as history
from .history import storage_routes as storage
from .live import LiveHub
from .live import handlers as live_feed
from .live import routes as live
from .live.alerts import BurstWatch
from .live.following import EndLookup
from .live.handlers import SummaryLookup, SummaryRelay
from .live.messages import StoredEnd, StoredSummary
from .notify import Courier, Teller
from .notify import routes as notify
from .ownscripts import routes as ownscripts
from .plans import routes as plans
from .plans.service import seal_stored_plans
from .postman import routes as postman
from .projects import routes as projects
from .runs import cancel_tests_of_project
from .runs import routes as runs
from .schedules import Clock, Scheduler
from .schedules import routes as schedules
from .specs import discovery
from .specs import handlers as spec_handlers
from .specs import routes as specs
from .specs.analysis import Waiters, offloader
from .triggers import routes as triggers
from .ui import install as install_ui

log = structlog.get_logger()


async def _connect_until_up(broker: NatsBroker) -> None:
    """Start the broker, retrying: the HTTP API serves (and reports NATS down) meanwhile."""
    delay = 0.5
    while True:
        try:
            await broker.start()
        except Exception as error:
            log.warning("nats unreachable, retrying", error=str(error), retry_in=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
        else:
            log.info("nats connected")
            return


def stored_end(sessions: async_sessionmaker[AsyncSession]) -> EndLookup:
    """How live streams learn that a test has ended, from its stored finished event, and how
    its summary came out, once stored."""

    async def lookup(test_id: str) -> StoredEnd | None:
        async with sessions() as session:
            test = await TestRuns(session).get(test_id)
        if test is None or test.status in ACTIVE or test.status not in set(RunStatus):
            return None
        summary = None
        if test.figures_complete is not None:  # set from every stored summary
            summary = StoredSummary(
                at=test.completed_at or test.tested_at,
                complete=test.figures_complete,
                incomplete_reason=test.figures_incomplete_reason,
                figures=MetricFigures.model_validate({n: getattr(test, n) for n in FIGURE_NAMES}),
            )
        return StoredEnd(
            test_id=test_id,
            test_history_id=test.id,
            at=test.completed_at or test.tested_at,
            status=RunStatus(test.status),
            reason=test.status_reason,
            summary=summary,
        )

    return lookup


def stored_summary(sessions: async_sessionmaker[AsyncSession], lookup: EndLookup) -> SummaryLookup:
    """The stored end and summary of a test once the summary envelope's effects are committed."""

    async def once_stored(test_id: str, message_id: str) -> StoredEnd | None:
        async with sessions() as session:
            if not await ProcessedMessages(session).seen(message_id):
                return None
        found = await lookup(test_id)
        return found if found is not None and found.summary is not None else None

    return once_stored


def create_app(
    settings: Settings, broker: NatsBroker | None = None, clock: Clock = utcnow
) -> FastAPI:
    """``clock``: the scheduler's now (tests run it faster than the wall clock)."""
    broker = broker or make_broker(settings.nats_url)
    engine = make_engine(settings.database_url)  # connects lazily, on first use
    sessions = make_session_factory(engine)
    hub = LiveHub(queue_size=settings.live_queue_size)
    waiters = Waiters()
    outbox = Outbox(
        sessions,
        broker,
        prepare={ANALYSE_SPEC.name: offloader(broker)},
        publish_timeout=settings.outbox_publish_timeout,
    )
    token_usage = TokenUsage()
    heartbeats = Heartbeats(settings.health_missed_beats)
    probes = Probes()
    scheduler = Scheduler(
        sessions, outbox, settings, metrics_path_of(settings, heartbeats, probes), clock
    )
    hear_heartbeats(broker, heartbeats)
    discovery.register(broker, sessions, settings)
    courier = Courier(sessions, settings)
    teller = Teller(settings, courier)
    summaries.register(broker, sessions, thresholds=settings.analysis, after=teller.summarised)
    lifecycle.register(broker, sessions, after_finished=teller.finished)
    spec_handlers.register(broker, sessions, waiters)
    resources.register(broker, sessions)
    test_end = stored_end(sessions)
    summary_relay = SummaryRelay(hub, stored_summary(sessions, test_end))
    live_feed.register(
        broker, hub, BurstWatch(rise=settings.analysis.failure_burst_rise), summary_relay
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            await upgrade(engine)
        await bootstrap(sessions, settings)
        sealer = settings.sealer()
        if sealer is not None:
            await seal_stored_plans(sessions, sealer)
        admit.prepare()
        connecting = asyncio.create_task(_connect_until_up(broker))
        relaying = asyncio.create_task(outbox.run())
        flushing = asyncio.create_task(token_usage.keep_flushing(sessions))
        notifying = asyncio.create_task(courier.run())
        tasks = [connecting, relaying, flushing, notifying]
        if settings.schedules_enabled:
            tasks.append(asyncio.create_task(scheduler.run()))
        log.info("gateway started", database=engine.url.render_as_string(hide_password=True))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await summary_relay.close()
            await broker.stop()
            await engine.dispose()
            log.info("gateway stopped")

    app = FastAPI(
        title="Metric Vault",
        summary="Load tests from OpenAPI documents, run with k6, measured and kept.",
        version="0.1.0",
        docs_url="/api/swagger",
        redoc_url=None,  # ReDoc would load from a CDN: Swagger UI's assets are served locally
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = sessions
    app.state.broker = broker
    app.state.live_hub = hub
    app.state.analysis_waiters = waiters
    app.state.outbox = outbox
    app.state.courier = courier
    app.state.before_project_delete = (cancel_tests_of_project, purge_project_points)
    app.state.test_end = test_end
    app.state.token_usage = token_usage
    app.state.stream_slots = StreamSlots(settings.max_streams_per_credential)
    app.state.heartbeats = heartbeats
    app.state.probes = probes
    app.state.scheduler = scheduler
    app.state.login_limiter = AttemptLimiter(settings.login_attempts, settings.login_window_seconds)
    app.state.login_backoff = Backoff(
        settings.login_backoff_after, settings.login_backoff_max_seconds
    )
    install_error_handlers(app)
    app.add_middleware(SecurityHeaders)
    admit = RouteAdmission(app)
    app.add_middleware(
        BodyLimits,
        rules=BodyRules(
            max_bytes=settings.max_body_bytes,
            max_public_bytes=settings.max_public_body_bytes,
            max_depth=settings.max_json_depth,
            read_seconds=settings.body_read_seconds,
        ),
        admit=admit,
    )
    # Outside those that answer, so refusals carry CORS headers too; no origin unless listed.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=bool(settings.cors_origins) and "*" not in settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["Location", "X-Total-Count"],
    )
    # Outside everything else: what follows sees the real client (login limits, audit, logs).
    app.add_middleware(ForwardedFor, trusted=settings.trusted_proxies)
    app.include_router(auth.router)
    app.include_router(auth_admin.settings_router)
    app.include_router(auth_admin.audit_router)
    app.include_router(health.router)
    app.include_router(projects.router)
    app.include_router(notify.router)
    app.include_router(runs.router)
    app.include_router(plans.router)
    app.include_router(datafiles.router)
    app.include_router(ownscripts.router)
    app.include_router(har.router)
    app.include_router(postman.router)
    app.include_router(schedules.router)
    app.include_router(triggers.router)
    app.include_router(history.router)
    app.include_router(storage.router)
    app.include_router(analysis_settings.router)
    app.include_router(specs.router)
    app.include_router(live.router)
    install_ui(app)
    return app
