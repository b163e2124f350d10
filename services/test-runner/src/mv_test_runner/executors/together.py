"""Starting the runners of a split test together over k6's REST API (both executors).

Each runner was started ``--paused``: k6 initialises its VUs, then waits at
:data:`.segments.PAUSED_BEFORE_RUN`. Once every runner's ``GET /v1/status`` says so, each gets the
``PATCH /v1/status`` of :data:`.segments.RESUME`, all at once. A runner that ends, or is not ready
within the deadline, fails the start with its reason; the executor then stops the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx

from .segments import PAUSED_BEFORE_RUN, RESUME

POLL_SECONDS = 0.2
REQUEST_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Runner:
    index: int
    name: str
    api: str
    """k6's REST API, e.g. ``http://10.1.2.3:6565``."""


class NotReady(RuntimeError):
    """A runner did not reach the paused-before-run state, or refused to resume."""

    def __init__(self, runner: Runner, count: int, why: str) -> None:
        super().__init__(f"runner {runner.index}/{count} ({runner.name}) {why}")
        self.runner = runner


Ended = Callable[[Runner], Awaitable[str | None]]
"""Why ``runner`` has ended (its k6 exited, its pod failed), or None while it is still there."""


async def _state(http: httpx.AsyncClient, runner: Runner) -> tuple[bool, str]:
    try:
        response = await http.get(f"{runner.api}/v1/status")
        attributes = response.json()["data"]["attributes"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        return False, f"k6's REST API at {runner.api} did not answer ({type(error).__name__})"
    ready = attributes.get("status") == PAUSED_BEFORE_RUN and attributes.get("paused") is True
    return (
        ready,
        f"k6 reported status {attributes.get('status')}, paused {attributes.get('paused')}",
    )


async def start_together(runners: Sequence[Runner], ended: Ended, ready_within: float) -> None:
    """Resume every runner once all are ready; :class:`NotReady` names the first that is not."""
    count = len(runners)
    deadline = asyncio.get_running_loop().time() + ready_within
    waiting = list(runners)
    last: dict[int, str] = {}
    async with httpx.AsyncClient(timeout=REQUEST_SECONDS) as http:
        while waiting:
            for runner in list(waiting):
                why = await ended(runner)
                if why is not None:
                    raise NotReady(runner, count, f"ended before the test started: {why}")
                ready, last[runner.index] = await _state(http, runner)
                if ready:
                    waiting.remove(runner)
            if not waiting:
                break
            if asyncio.get_running_loop().time() > deadline:
                late = waiting[0]
                raise NotReady(
                    late,
                    count,
                    f"was not ready within {ready_within:g} s (RUNNER_READY_SECONDS): "
                    f"{last.get(late.index, 'never reached')}",
                )
            await asyncio.sleep(POLL_SECONDS)
        answers = await asyncio.gather(
            *(http.patch(f"{r.api}/v1/status", json=RESUME) for r in runners),
            return_exceptions=True,
        )
    for runner, answer in zip(runners, answers, strict=True):
        if isinstance(answer, BaseException):
            raise NotReady(runner, count, f"could not be resumed: {answer!r}")
        if answer.status_code != 200:
            raise NotReady(
                runner, count, f"refused to resume: HTTP {answer.status_code} {answer.text[:200]}"
            )
