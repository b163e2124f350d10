"""The interface every executor implements; how runs end is in :mod:`.outcomes`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from mv_contracts.lifecycle import K6Counts, RunnerInfo
from mv_contracts.runs import TestRunRequest
from mv_test_runner.script import GeneratedScript

from .outcomes import Outcome


class StartError(RuntimeError):
    """k6 could not be started (binary missing, API refused the Job, ...): the test failed."""


@dataclass(frozen=True, slots=True)
class Started:
    job_name: str
    script_name: str
    started_at: datetime
    runners: list[RunnerInfo] = field(default_factory=list)
    """The k6 runners of a split test (parallelism > 1), in segment order."""


class RunExecutor(Protocol):
    kind: Literal["local", "kubernetes"]

    async def start(self, request: TestRunRequest, script: GeneratedScript) -> Started:
        """Launch k6; raises StartError when it cannot."""
        ...

    async def wait(self, test_id: str) -> Outcome:
        """Until the run ends, also for runs started before a restart of this process."""
        ...

    async def stop(self, test_id: str) -> None:
        """Ask the run to stop (cancel, timeout); :meth:`wait` then returns."""
        ...

    async def is_running(self, test_id: str) -> bool: ...

    async def counts(self, test_id: str) -> K6Counts | None:
        """k6's own count of an ended run (its end-of-test summary); None when there is none."""
        ...


def job_name(test_id: str) -> str:
    """A DNS-1123 name for the run of ``test_id`` (Job, ConfigMap, local state directory)."""
    slug = re.sub(r"[^a-z0-9-]+", "-", test_id.lower()).strip("-")[:40].strip("-")
    if slug != test_id:
        slug = f"{slug}-{hashlib.sha256(test_id.encode()).hexdigest()[:8]}".strip("-")
    return f"k6-{slug}"
