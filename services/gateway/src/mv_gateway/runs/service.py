"""Starting, cancelling and reading a run: one function per route, over a session and the bus.

A test is stored (pending) with its command in the outbox, in one transaction, committed before
the command is published (:mod:`mv_gateway.core.outbox`): the answer is 202 whether NATS takes
it at once or only when it is back, and the test runs once. An ``Idempotency-Key`` returns the
test its first request made.
"""

from __future__ import annotations

from nats.errors import NoRespondersError
from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.envelope import Envelope
from mv_contracts.runs import (
    ScriptPreview,
    ScriptPreviewRequested,
    TestCancel,
    TestCancelRequested,
    TestRunRequest,
    TestRunRequested,
)
from mv_contracts.subjects import CANCEL_TEST, PREVIEW_SCRIPT, RUN_TEST, Subject
from mv_gateway.analysis import AnalysisThresholdOverrides
from mv_gateway.auth import (
    AllowList,
    AuditLog,
    Principal,
    TargetNotAllowed,
    allowed_entries,
    check_targets,
    limits_for,
)
from mv_gateway.core.credentials import redact
from mv_gateway.core.errors import (
    ConflictError,
    FieldError,
    GatewayError,
    NotFoundError,
    ServiceUnavailable,
)
from mv_gateway.core.idempotency import IdempotencyKeys, fingerprint
from mv_gateway.core.outbox import Outbox
from mv_gateway.core.settings import Settings
from mv_gateway.datafiles import data_sets
from mv_gateway.health import MetricsPath
from mv_gateway.history import ACTIVE, NewScenario, TestResults, TestRuns
from mv_gateway.specs import SpecRepository
from mv_runtime.bus import Bus
from mv_runtime.sealing import seal_request

from .limits import RunLimits, check_limits, check_role_limits, check_running
from .rules import InvalidTestRequest, build_request, new_scenarios, resolve_target, token_urls
from .schemas import LoadTestCreate, LoadTestCreated
from .secrets import no_masks


class CommandTooLarge(GatewayError):
    status_code = 413

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"the test request is {size} bytes as a command; the limit is {limit} "
            "(MAX_COMMAND_BYTES, under NATS's largest message)"
        )


class KeyOfDeletedTest(ConflictError):
    def __init__(self, key: str) -> None:
        super().__init__(f"the test made with Idempotency-Key {key!r} has been deleted")


class TestAlreadyEnded(ConflictError):
    __test__ = False  # not a pytest class

    def __init__(self, test_id: str, status: str) -> None:
        super().__init__(f"test {test_id} already ended ({status})")


async def _command(
    session: AsyncSession, outbox: Outbox, subject: Subject, message: Envelope
) -> None:
    """Commit the command with what the caller stored, then try to publish it now."""
    row = await Outbox.add(session, subject, message)
    await session.commit()
    await outbox.send(session, row)


async def _test_request(
    session: AsyncSession, body: LoadTestCreate, test_id: str
) -> TestRunRequest:
    """The validated request with the stored endpoints it names and its data files' rows."""
    endpoints = await SpecRepository(session).targets(
        i for s in body.scenarios for i in s.endpoint_ids()
    )
    found = [(i, s.data_file_id()) for i, s in enumerate(body.scenarios)]
    uses = [(i, file_id) for i, file_id in found if file_id is not None]
    data = await data_sets(session, resolve_target(body, endpoints)[0], uses) if uses else []
    return build_request(body, endpoints, test_id, data)


async def start_run(
    session: AsyncSession,
    outbox: Outbox,
    body: LoadTestCreate,
    test_id: str,
    actor: Principal,
    settings: Settings,
    metrics_path: MetricsPath,
    *,
    idempotency_key: str | None = None,
    key_scope: str = "load-testing",
    request_print: str | None = None,
    plan_id: int | None = None,
) -> LoadTestCreated:
    """Check the test against the gateway's limits, the actor's and the allowed targets and
    that its metrics can be kept, store it (pending) and ask the test-runner to run it.

    An ``idempotency_key`` is looked up in ``key_scope`` with the body's fingerprint, or
    ``request_print`` (a trigger's request, not the plan it runs)."""
    keys = IdempotencyKeys(session, key_scope)
    body_print = request_print or fingerprint(no_masks(body.model_dump(mode="json")))
    if idempotency_key is not None:
        made = await keys.made(idempotency_key, body_print)
        if made is not None:
            return await _replay(session, idempotency_key, made)
    request = await _test_request(session, body, test_id)
    return await submit_run(
        session,
        outbox,
        request,
        actor,
        settings,
        metrics_path,
        new_scenarios(request),
        keys=keys if idempotency_key is not None else None,
        idempotency_key=idempotency_key,
        body_print=body_print,
        plan_id=plan_id,
        analysis_thresholds=body.analysis_thresholds,
    )


async def submit_run(
    session: AsyncSession,
    outbox: Outbox,
    request: TestRunRequest,
    actor: Principal,
    settings: Settings,
    metrics_path: MetricsPath,
    scenarios: list[NewScenario],
    *,
    keys: IdempotencyKeys | None = None,
    idempotency_key: str | None = None,
    body_print: str = "",
    plan_id: int | None = None,
    own_script_id: int | None = None,
    analysis_thresholds: AnalysisThresholdOverrides | None = None,
) -> LoadTestCreated:
    """The checks, the stored test and its command, of a validated ``request`` (a generated
    test's, or an own script's with ``own_script_id`` its stored version)."""
    max_command_bytes = settings.max_command_bytes
    check_limits(request, RunLimits.of(settings))
    assert request.project_id is not None
    role_limits = limits_for(actor.role, settings)
    check_role_limits(request, role_limits, actor.role.value)
    running = await TestRuns(session).active_count(actor.actor)
    check_running(actor.actor, running, role_limits, actor.role.value)
    allow = AllowList.parse(await allowed_entries(session, settings))
    try:
        await check_targets(allow, [str(request.base_url), *token_urls(request)])
    except TargetNotAllowed as refused:
        raise InvalidTestRequest("base_url", message=str(refused)) from None
    if (refusal := await metrics_path(request.metrics_mode)) is not None:
        raise ServiceUnavailable(refusal)
    # Sealed before the command is stored (outbox), sent and kept by JetStream: the test-runner
    # opens the values for k6's environment. Without SECRETS_KEY they travel as they came.
    sealer = settings.sealer()
    sent = request if sealer is None else seal_request(request, sealer)
    command = TestRunRequested(correlation_id=request.test_id, payload=sent)
    if (size := len(command.model_dump_json())) > max_command_bytes:
        raise CommandTooLarge(size, max_command_bytes)
    if keys is not None and idempotency_key is not None:
        made = await keys.claim(idempotency_key, body_print, request.test_id)
        if made is not None:
            return await _replay(session, idempotency_key, made)
    test = await TestRuns(session).add(
        request.test_id,
        request.project_id,
        request.title,
        request.description,
        request.target_tps,
        scenarios,
        started_by=actor.actor,
        metrics_mode=request.metrics_mode.value,
        plan_id=plan_id,
        own_script_id=own_script_id,
    )
    await AuditLog(session).record(
        actor,
        "start_test",
        request.test_id,
        {"title": request.title, "base_url": redact(str(request.base_url))},
    )
    await TestResults(session).keep_request(test, request)
    if analysis_thresholds is not None:
        test.analysis_thresholds = analysis_thresholds.model_dump(exclude_none=True) or None
    created = LoadTestCreated(test_id=request.test_id, test_history_id=test.id, status=test.status)
    await _command(session, outbox, RUN_TEST, command)
    return created


class ScriptNotGenerated(FieldError):
    """The test-runner could not make a script of the request (it names why)."""


async def preview_run(session: AsyncSession, bus: Bus, body: LoadTestCreate, test_id: str) -> str:
    """The k6 script the test-runner would run for ``body``; nothing is stored or run."""
    request = await _test_request(session, body, test_id)
    try:
        answer: ScriptPreview = await bus.request(
            PREVIEW_SCRIPT, ScriptPreviewRequested(correlation_id=test_id, payload=request)
        )
    except NoRespondersError as error:
        raise ServiceUnavailable("no test-runner is answering; is it running?") from error
    except Exception as error:
        raise ServiceUnavailable(f"message bus unavailable: {error}") from error
    if answer.script is None:
        raise ScriptNotGenerated("scenarios", message=answer.error or "no script")
    return answer.script


async def _replay(session: AsyncSession, key: str, test_id: str) -> LoadTestCreated:
    test = await TestRuns(session).get(test_id)
    if test is None:
        raise KeyOfDeletedTest(key)
    return LoadTestCreated(test_id=test.test_id, test_history_id=test.id, status=test.status)


async def cancel_run(session: AsyncSession, outbox: Outbox, test_id: str, actor: Principal) -> None:
    test = await TestRuns(session).get(test_id)
    if test is None:
        raise NotFoundError("test", test_id)
    if test.is_completed or test.status not in ACTIVE:
        raise TestAlreadyEnded(test_id, test.status)
    await AuditLog(session).record(actor, "cancel_test", test_id)
    cancel = TestCancelRequested(correlation_id=test_id, payload=TestCancel(test_id=test_id))
    await _command(session, outbox, CANCEL_TEST, cancel)


async def cancel_tests_of_project(session: AsyncSession, project_id: int) -> None:
    """Before a project is deleted: a cancel command for each of its tests still pending or
    running, in the deleting transaction (the relay sends them once it commits)."""
    for test in await TestRuns(session).active():
        if test.project_id == project_id:
            cancel = TestCancelRequested(
                correlation_id=test.test_id,
                payload=TestCancel(test_id=test.test_id, reason="its project was deleted"),
            )
            await Outbox.add(session, CANCEL_TEST, cancel)


async def script_of(session: AsyncSession, test_id: str) -> str:
    runs = TestRuns(session)
    test = await runs.get(test_id)
    if test is None:
        raise NotFoundError("test", test_id)
    script = await runs.script(test.id)
    if script is None:
        raise NotFoundError("script of test", test_id)
    return redact(script)  # a URL with credentials in a script stored before they were taken out
