"""HTTP routes of runs: start a load test from stored endpoints, cancel it, read its generated
k6 script, and list what is running. Each parses, calls one function of :mod:`.service` and
answers; the rules live in :mod:`.rules`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi.responses import PlainTextResponse

from mv_gateway.auth import READ, TEST, Tester
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import BusDep, OutboxDep, SessionDep, SettingsDep
from mv_gateway.core.idempotency import KeyHeader
from mv_gateway.health import MetricsPathDep
from mv_gateway.history import TestRuns, runner_states

from .schemas import CancelAccepted, JobRead, LoadTestCreate, LoadTestCreated
from .service import cancel_run, preview_run, script_of, start_run

router = APIRouter(route_class=ParsedBodyRoute)
load_testing = APIRouter(prefix="/load-testing", tags=["Load Testing"], route_class=ParsedBodyRoute)
scheduler = APIRouter(prefix="/scheduler", tags=["Job Scheduler"], route_class=ParsedBodyRoute)

TestId = Annotated[str, Path(min_length=1, max_length=64, description="The test id")]


@load_testing.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=LoadTestCreated,
    responses={409: {}, 413: {}, 422: {}, 429: {}, 503: {}},
)
async def start_load_test(
    body: LoadTestCreate,
    session: SessionDep,
    outbox: OutboxDep,
    tester: Tester,
    settings: SettingsDep,
    metrics_path: MetricsPathDep,
    idempotency_key: KeyHeader = None,
) -> LoadTestCreated:
    """Store the test (pending) and ask the test-runner to run it; returns the test id.

    The gateway resolves each endpoint_id to its method, path and spec base URL, validates the
    whole request against the contract, stores test, scenarios and stages at once (not
    completed) with the RUN_TEST command, and publishes it (now, or once NATS is back: 202
    either way, and the test runs once). An impossible request is a 422 naming the field; a
    429 when the starter already has as many tests pending or running as the role allows. A
    test whose metrics path is down (fast: no metrics receiver beating; precise: InfluxDB
    unreachable) is a 503 saying which, before anything is stored. A
    repeated ``Idempotency-Key`` answers the test the first request made."""
    return await start_run(
        session,
        outbox,
        body,
        str(uuid.uuid4()),
        tester,
        settings,
        metrics_path,
        idempotency_key=idempotency_key,
    )


@load_testing.post(
    "/preview",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/javascript": {}}}, 422: {}, 503: {}},
    dependencies=[TEST],
)
async def preview_load_test(
    body: LoadTestCreate, session: SessionDep, bus: BusDep
) -> PlainTextResponse:
    """The exact k6 script the test-runner would run for this body (secret header values as
    environment references); nothing is stored and nothing runs."""
    script = await preview_run(session, bus, body, f"preview-{uuid.uuid4()}")
    return PlainTextResponse(script, media_type="text/javascript; charset=utf-8")


@load_testing.post(
    "/{test_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CancelAccepted,
    responses={404: {}, 409: {}},
)
async def cancel_load_test(
    test_id: TestId, session: SessionDep, outbox: OutboxDep, tester: Tester
) -> CancelAccepted:
    """Ask the test-runner to stop a test that is pending or running (k6 is stopped wherever it
    is); 409 once the test has ended."""
    await cancel_run(session, outbox, test_id, tester)
    return CancelAccepted(test_id=test_id)


@load_testing.get(
    "/{test_id}/script",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/javascript": {}}}, 404: {}},
    dependencies=[READ],
)
async def get_script(test_id: TestId, session: SessionDep) -> PlainTextResponse:
    """The k6 script the test-runner generated (secrets are environment variables, not in it)."""
    script = await script_of(session, test_id)
    return PlainTextResponse(script, media_type="text/javascript; charset=utf-8")


@scheduler.get("/jobs", response_model=list[JobRead], dependencies=[READ])
async def list_jobs(session: SessionDep) -> list[JobRead]:
    """Tests not yet finished: pending (sent to the runner) or running (k6 started), each with
    its k6 runners (index, name, execution segment) and their states."""
    # the stored runners merged with the test's state; every other field is the row's own
    columns = [name for name in JobRead.model_fields if name != "runners"]
    return [
        JobRead(**{name: getattr(t, name) for name in columns}, runners=runner_states(t))
        for t in await TestRuns(session).active()
    ]


router.include_router(load_testing)
router.include_router(scheduler)
