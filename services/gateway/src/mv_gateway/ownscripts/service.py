"""Storing a version of an own script once k6 has read it, and starting a test of one."""

from __future__ import annotations

import base64
import hashlib
import uuid

from nats.errors import NoRespondersError
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.load import seconds
from mv_contracts.ownscripts import (
    MAX_ARCHIVE_BYTES,
    OwnScriptFiles,
    ScriptInspection,
    ScriptInspectRequested,
)
from mv_contracts.runs import TestRunRequest
from mv_contracts.subjects import INSPECT_SCRIPT
from mv_gateway.auth import Principal
from mv_gateway.core.errors import FieldError, NotFoundError, ServiceUnavailable
from mv_gateway.core.outbox import Outbox
from mv_gateway.core.settings import Settings
from mv_gateway.health import MetricsPath
from mv_gateway.history import NewScenario
from mv_gateway.projects import ProjectRepository
from mv_gateway.runs import LoadTestCreated, RejectedByContract, submit_run
from mv_runtime.bus import Bus
from mv_runtime.scriptfiles import pack, unpack

from .schemas import OwnScriptRunCreate
from .tables import OwnScript
from .uploads import UploadTooLarge, read_upload

INSPECT_WAIT_SECONDS = 30.0  # the runner gives k6 inspect INSPECT_SECONDS (15) of it


class ScriptRefused(FieldError):
    """k6 inspect refused the script: 422 with k6's words, the file and the line."""

    def __init__(self, seen: ScriptInspection) -> None:
        super().__init__("script", message=seen.error or "k6 refused the script")


async def inspect(bus: Bus, files: OwnScriptFiles) -> ScriptInspection:
    """k6's reading of ``files``, asked of a test-runner (where k6 is)."""
    message = ScriptInspectRequested(correlation_id=f"inspect-{uuid.uuid4()}", payload=files)
    try:
        answer: ScriptInspection = await bus.request(
            INSPECT_SCRIPT, message, seconds=INSPECT_WAIT_SECONDS
        )
    except NoRespondersError as error:
        raise ServiceUnavailable("no test-runner is answering; is it running?") from error
    except Exception as error:
        raise ServiceUnavailable(f"no answer from a test-runner: {error}") from error
    return answer


async def upload(
    session: AsyncSession,
    bus: Bus,
    project_id: int,
    name: str,
    body: bytes,
    entry: str | None,
    actor: Principal,
) -> OwnScript:
    """The next version of ``name`` in the project, once k6 has read it without complaint."""
    if not await ProjectRepository(session).exists(project_id):
        raise NotFoundError("project", project_id)
    files, entry = read_upload(body, entry)
    archive = pack(files)
    if len(archive) > MAX_ARCHIVE_BYTES * 4 // 3:
        raise UploadTooLarge(f"{len(archive) * 3 // 4} (compressed anew)")
    seen = await inspect(bus, OwnScriptFiles(entry=entry, archive=archive))
    if not seen.ok:
        raise ScriptRefused(seen)
    raw = base64.b64decode(archive)
    last = await session.scalar(
        select(func.max(OwnScript.version)).where(
            OwnScript.project_id == project_id, OwnScript.name == name
        )
    )
    row = OwnScript(
        project_id=project_id,
        name=name,
        version=(last or 0) + 1,
        entry=entry,
        archive=raw,
        digest=hashlib.sha256(raw).hexdigest(),
        files={path: len(content) for path, content in sorted(files.items())},
        inspection=seen.model_dump(mode="json"),
        created_by=actor.actor,
    )
    session.add(row)
    await session.commit()
    return row


async def versions(session: AsyncSession, project_id: int) -> list[OwnScript]:
    rows = await session.scalars(
        select(OwnScript)
        .where(OwnScript.project_id == project_id)
        .order_by(OwnScript.name, OwnScript.version)
    )
    return list(rows)


async def version(session: AsyncSession, script_id: int) -> OwnScript:
    row = await session.get(OwnScript, script_id)
    if row is None:
        raise NotFoundError("script", script_id)
    return row


async def file_text(session: AsyncSession, script_id: int, path: str) -> str:
    """One file of a stored version as text (invalid UTF-8 shown as U+FFFD), to be read."""
    row = await version(session, script_id)
    if path not in row.files:
        raise NotFoundError("file", path)
    content = unpack(base64.b64encode(row.archive).decode("ascii"))[path]
    return content.decode("utf-8", errors="replace")


async def start(
    session: AsyncSession,
    outbox: Outbox,
    body: OwnScriptRunCreate,
    actor: Principal,
    settings: Settings,
    metrics_path: MetricsPath,
) -> LoadTestCreated:
    """A test of the stored version ``body.script_id``, run as it is, checked and stored as any
    test is (limits from k6's own maxVUs and totalDuration, allowed target, metrics path)."""
    row = await version(session, body.script_id)
    seen = ScriptInspection.model_validate(row.inspection)
    try:
        request = TestRunRequest.model_validate(
            {
                "test_id": str(uuid.uuid4()),
                "title": body.title or f"{row.name} v{row.version}",
                "description": body.description,
                "project_id": row.project_id,
                "base_url": body.base_url,
                "parallelism": body.parallelism,
                "one_runner_per_node": body.one_runner_per_node,
                **({"metrics_mode": body.metrics_mode} if body.metrics_mode else {}),
                "own_script": {
                    "version_id": row.id,
                    "entry": row.entry,
                    "archive": base64.b64encode(row.archive).decode("ascii"),
                    "max_vus": seen.max_vus or 1,
                    "seconds": seconds(seen.total_duration or "0s"),
                    "scenarios": [s.name for s in seen.scenarios],
                    "env": {**body.env, "BASE_URL": str(body.base_url).rstrip("/")},
                },
            }
        )
    except ValidationError as error:
        raise RejectedByContract(error) from None
    scenarios = [
        NewScenario(name=s.name, scenario_tag=s.name, endpoint_id=None, executor=s.executor,
                    think_time=0, response_time_target=None, error_rate_target=None, stages=[])
        for s in seen.scenarios
    ]  # fmt: skip
    return await submit_run(
        session,
        outbox,
        request,
        actor,
        settings,
        metrics_path,
        scenarios,
        own_script_id=row.id,
        analysis_thresholds=body.analysis_thresholds,
    )
