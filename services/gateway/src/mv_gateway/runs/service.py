"""Starting, cancelling and reading a run: one function per route, over a session and the bus.

A test is stored (pending) in the caller's transaction before its command is published; when
the bus refuses the command, :class:`BusUnavailable` rolls that transaction back, so nothing is
stored for a test that was never sent.
"""

from __future__ import annotations

from nats.errors import NoRespondersError
from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.runs import (
    ScriptPreview,
    ScriptPreviewRequested,
    TestCancel,
    TestCancelRequested,
    TestRunRequested,
)
from mv_contracts.subjects import CANCEL_TEST, PREVIEW_SCRIPT, RUN_TEST
from mv_gateway.auth import (
    AllowList,
    AuditLog,
    Principal,
    TargetNotAllowed,
    allowed_entries,
    check_targets,
    limits_for,
)
from mv_gateway.core.errors import ConflictError, FieldError, NotFoundError, ServiceUnavailable
from mv_gateway.core.settings import Settings
from mv_gateway.history import ACTIVE, TestResults, TestRuns
from mv_gateway.specs import SpecRepository
from mv_runtime.bus import Bus

from .rules import InvalidTestRequest, build_request, check_load, new_scenarios
from .schemas import LoadTestCreate, LoadTestCreated


class BusUnavailable(ServiceUnavailable):
    def __init__(self, error: Exception) -> None:
        super().__init__(f"message bus unavailable: {error}")


class TestAlreadyEnded(ConflictError):
    __test__ = False  # not a pytest class

    def __init__(self, test_id: str, status: str) -> None:
        super().__init__(f"test {test_id} already ended ({status})")


async def start_run(
    session: AsyncSession,
    bus: Bus,
    body: LoadTestCreate,
    test_id: str,
    actor: Principal,
    settings: Settings,
) -> LoadTestCreated:
    """Check the test against the actor's limits and the allowed targets, store it (pending)
    and ask the test-runner to run it."""
    endpoints = await SpecRepository(session).targets(s.endpoint_id for s in body.scenarios)
    request = build_request(body, endpoints, test_id)
    assert request.project_id is not None
    check_load(request, limits_for(actor.role, settings), actor.role.value)
    allow = AllowList.parse(await allowed_entries(session, settings))
    try:
        await check_targets(allow, [str(request.base_url)])
    except TargetNotAllowed as refused:
        raise InvalidTestRequest("base_url", message=str(refused)) from None
    test = await TestRuns(session).add(
        request.test_id,
        request.project_id,
        request.title,
        request.description,
        request.target_tps,
        new_scenarios(request),
        started_by=actor.actor,
    )
    await AuditLog(session).record(
        actor,
        "start_test",
        request.test_id,
        {"title": request.title, "base_url": str(request.base_url)},
    )
    await TestResults(session).keep_request(test, request)
    try:
        await bus.publish(
            RUN_TEST, TestRunRequested(correlation_id=request.test_id, payload=request)
        )
    except Exception as error:
        raise BusUnavailable(error) from error
    return LoadTestCreated(test_id=request.test_id, test_history_id=test.id, status=test.status)


class ScriptNotGenerated(FieldError):
    """The test-runner could not make a script of the request (it names why)."""


async def preview_run(session: AsyncSession, bus: Bus, body: LoadTestCreate, test_id: str) -> str:
    """The k6 script the test-runner would run for ``body``; nothing is stored or run."""
    endpoints = await SpecRepository(session).targets(s.endpoint_id for s in body.scenarios)
    request = build_request(body, endpoints, test_id)
    try:
        answer: ScriptPreview = await bus.request(
            PREVIEW_SCRIPT, ScriptPreviewRequested(correlation_id=test_id, payload=request)
        )
    except NoRespondersError as error:
        raise ServiceUnavailable("no test-runner is answering; is it running?") from error
    except Exception as error:
        raise BusUnavailable(error) from error
    if answer.script is None:
        raise ScriptNotGenerated("scenarios", message=answer.error or "no script")
    return answer.script


async def cancel_run(session: AsyncSession, bus: Bus, test_id: str, actor: Principal) -> None:
    test = await TestRuns(session).get(test_id)
    if test is None:
        raise NotFoundError("test", test_id)
    if test.is_completed or test.status not in ACTIVE:
        raise TestAlreadyEnded(test_id, test.status)
    await AuditLog(session).record(actor, "cancel_test", test_id)
    try:
        await bus.publish(
            CANCEL_TEST,
            TestCancelRequested(correlation_id=test_id, payload=TestCancel(test_id=test_id)),
        )
    except Exception as error:
        raise BusUnavailable(error) from error


async def script_of(session: AsyncSession, test_id: str) -> str:
    runs = TestRuns(session)
    test = await runs.get(test_id)
    if test is None:
        raise NotFoundError("test", test_id)
    script = await runs.script(test.id)
    if script is None:
        raise NotFoundError("script of test", test_id)
    return script
