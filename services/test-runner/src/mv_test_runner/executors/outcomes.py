"""How a run ended → its status and the reason a person reads, decided here only (no I/O).

The inputs are what the executors observe: the exit code and output of a k6 process (local), the
conditions of a Job and the terminated state of its k6 container (Kubernetes), a pod that cannot
start, and what the runner did itself (a cancel, its own timeout). The exit code decides, never
the text: k6 documents one code per way a run ends (``errext/exitcodes`` in k6's source); the
output only supplies the details of the reason.

The reason is final: the gateway stores it as given, so it is written for the test history.
Exit 99 (thresholds crossed) is a test that ran to its end and missed its targets: ``failed`` with
``thresholds_crossed=True`` and a reason starting with :data:`THRESHOLDS_CROSSED`. So "failed"
means "did not meet its targets or did not run", and ``thresholds_crossed`` tells the two apart.
"""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from mv_contracts.lifecycle import RunnerOutcome, RunStatus

# How much of k6's output goes into a failure reason.
REASON_TAIL_CHARS = 2000
THRESHOLDS_CROSSED = "thresholds crossed"

# k6's documented exit codes (errext/exitcodes; the same from k6 v0.43 to v2), then the shell's.
K6_EXIT_CODES: dict[int, str] = {
    97: "the cloud test run failed",
    98: "k6 could not get the cloud test's progress",
    99: THRESHOLDS_CROSSED,
    100: "setup() timed out",
    101: "teardown() timed out",
    102: "k6 timed out",
    103: "stopped through k6's REST API",
    104: "invalid k6 configuration",
    105: "k6 was stopped from outside (a signal)",
    106: "k6's REST API could not start",
    107: "script error",
    108: "the script aborted the test (test.abort())",
    109: "k6 crashed (Go panic)",
    110: "the script marked the test as failed (test.fail())",
    126: "the k6 executable cannot be run",
    127: "k6 executable not found",
    255: "k6 failed",  # an error k6 gives no code of its own (exit -1)
}
# Container states a pod cannot leave by itself: the run will never start.
STUCK_WAITING = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "CreateContainerConfigError",
        "CreateContainerError",
    }
)
_ERROR_LINE = re.compile(r'level=error msg="((?:[^"\\]|\\.)*)"')
_CROSSED_CRITERION = re.compile(r"^✗\s*'(.*)'\s*(.*)$")
_CROSSED_LINE = re.compile(r"thresholds on metrics '([^']*)' (?:have been|were) crossed")


@dataclass(frozen=True, slots=True)
class Outcome:
    status: RunStatus
    reason: str | None = None
    thresholds_crossed: bool = False
    # Each runner's own ending when the test was split (TestFinished.runners); not part of
    # what the outcome is, so outcomes compare by the test's ending alone.
    runners: tuple[RunnerOutcome, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        # The gateway stores the reason as given: every way but success needs one, and a
        # crossed threshold must say so first.
        if (self.status is RunStatus.SUCCEEDED) != (self.reason is None) or self.reason == "":
            raise ValueError(f"a {self.status.value} run needs a reason exactly when not succeeded")
        if self.thresholds_crossed and not (
            self.status is RunStatus.FAILED and (self.reason or "").startswith(THRESHOLDS_CROSSED)
        ):
            raise ValueError(f"crossed thresholds: failed, reason starting {THRESHOLDS_CROSSED!r}")


SUCCEEDED = Outcome(RunStatus.SUCCEEDED)


@dataclass(frozen=True, slots=True)
class Terminated:
    """The k6 container of a Job's pod once it ended, as the kubelet reports it."""

    exit_code: int
    reason: str | None = None
    """The kubelet's word: ``Completed``, ``Error``, ``OOMKilled``, ``ContainerCannotRun``..."""
    message: str = ""
    """The termination message: k6's last output lines (``FallbackToLogsOnError``)."""


def tail(text: str, limit: int = REASON_TAIL_CHARS) -> str:
    text = text.strip().replace("\x00", "")
    return text if len(text) <= limit else "…" + text[-limit:]


def exit_meaning(code: int) -> str:
    if code in K6_EXIT_CODES:
        return K6_EXIT_CODES[code]
    if code > 128:  # a shell or container runtime reports a signal as 128 + its number
        try:
            return f"k6 was killed by {signal.Signals(code - 128).name}"
        except ValueError:
            pass
    return "k6 ended unexpectedly"


def from_exit(code: int, output: str) -> Outcome:
    """The outcome of a k6 process that ended with ``code``, having written ``output``."""
    if code == 0:
        return SUCCEEDED
    if code == 99:
        detail = crossed_thresholds(output)
        reason = f"{THRESHOLDS_CROSSED}: {tail(detail)}" if detail else THRESHOLDS_CROSSED
        return Outcome(RunStatus.FAILED, reason, thresholds_crossed=True)
    return _failed(f"{exit_meaning(code)} (exit code {code})", output)


def no_exit_code(output: str) -> Outcome:
    """A local run that ended without its wrapper writing the exit code (killed with it)."""
    return _failed("k6 ended without an exit code", output)


def _failed(what: str, output: str) -> Outcome:
    """Failed: ``what``, then k6's error messages, or its last lines when it logged none."""
    detail = "; ".join(error_messages(output)) or "\n".join(output.strip().splitlines()[-20:])
    return Outcome(RunStatus.FAILED, f"{what}: {tail(detail)}" if detail.strip() else what)


def error_messages(output: str, limit: int = 5) -> list[str]:
    """The ``level=error`` messages of k6's log, unquoted, without repeats, the last ``limit``."""
    found: list[str] = []
    for quoted in _ERROR_LINE.findall(output):
        try:
            message = str(json.loads(f'"{quoted}"')).strip()
        except ValueError:  # Go's %q has escapes JSON lacks (\x, \U): keep the text as it is
            message = quoted
        if message and message not in found:
            found.append(message)
    return found[-limit:]


def crossed_thresholds(output: str) -> str:
    """The crossed thresholds from k6's output, e.g. ``http_req_failed{...} rate<0.01 (rate=2%)``.

    From the end-of-test summary's ``THRESHOLDS`` section when the output still holds it (a pod's
    termination message keeps only the last lines), else the metric names of k6's error line.
    """
    crossed: list[str] = []
    metric, in_section = "", False
    for raw in output.splitlines():
        line = raw.strip()
        if line.endswith("THRESHOLDS"):
            in_section = True
        elif in_section and line.startswith("█"):
            break
        elif in_section and (match := _CROSSED_CRITERION.match(line)):
            criterion, value = match.groups()
            crossed.append(f"{metric} {criterion} ({value})" if value else f"{metric} {criterion}")
        elif in_section and line and not line.startswith(("✓", "✗")):
            metric = line
    if crossed:
        return "; ".join(crossed)
    names = _CROSSED_LINE.findall(output)
    return names[-1] if names else ""


def from_job(
    status: dict[str, Any] | None, k6: Terminated | None, *, pod_deleted: bool = False
) -> Outcome | None:
    """A Job's status (as a dict) and its k6 container → the outcome, or None while it runs.
    ``pod_deleted``: the Job's pod is gone or being deleted; when k6 did not end by itself (no
    exit code, a signal's, or 105), that deletion is the reason, not the Job's backoff limit."""
    for condition in (status or {}).get("conditions") or []:
        if condition.get("status") != "True":
            continue
        kind, reason = condition.get("type"), condition.get("reason") or ""
        if kind == "Complete":
            return SUCCEEDED
        if kind != "Failed":
            continue
        if reason == "DeadlineExceeded":
            return Outcome(
                RunStatus.TIMED_OUT,
                "the Job ran past its deadline (activeDeadlineSeconds, from "
                "SCHEDULER_JOB_TIMEOUT_HOURS) and Kubernetes stopped k6",
            )
        if k6 is not None and k6.reason == "OOMKilled":
            return Outcome(
                RunStatus.FAILED,
                "k6 ran out of memory: it went past its container's limit and was killed "
                "(OOMKilled); raise K6_MEMORY_LIMIT or lower the load per runner",
            )
        if pod_deleted and (k6 is None or k6.exit_code == 105 or k6.exit_code > 128):
            why = reason or "no reason given"
            return Outcome(
                RunStatus.FAILED,
                f"the k6 pod was deleted before k6 ended (the Job then failed: {why})",
            )
        if k6 is not None and k6.exit_code != 0:
            return from_exit(k6.exit_code, k6.message)
        failed = f"the Job failed ({reason or 'no reason given'})"
        detail = condition.get("message")
        return Outcome(RunStatus.FAILED, f"{failed}: {tail(detail)}" if detail else failed)
    return None


def k6_container(pods: list[dict[str, Any]]) -> Terminated | None:
    """The terminated state of the k6 container in the pods of a Job (dicts of the client)."""
    for pod in pods:
        for state in (pod.get("status") or {}).get("container_statuses") or []:
            ended = (state.get("state") or {}).get("terminated") or {}
            if state.get("name") == "k6" and ended.get("exit_code") is not None:
                return Terminated(
                    int(ended["exit_code"]), ended.get("reason"), ended.get("message") or ""
                )
    return None


def pod_cannot_start(pod: dict[str, Any]) -> Outcome | None:
    """A pod stuck before k6 runs (image pull error, unschedulable) → the failure, else None."""
    status = pod.get("status") or {}
    problems = [
        (waiting["reason"], waiting.get("message"))
        for state in status.get("container_statuses") or []
        if (waiting := (state.get("state") or {}).get("waiting") or {}).get("reason")
        in STUCK_WAITING
    ] + [
        ("Unschedulable", condition.get("message"))
        for condition in status.get("conditions") or []
        if condition.get("reason") == "Unschedulable"
    ]
    if not problems:
        return None
    word, message = problems[0]
    problem = f"{word}: {message}" if message else word
    return Outcome(RunStatus.FAILED, f"the k6 pod cannot start: {tail(problem)}")


def job_gone(name: str) -> Outcome:
    return Outcome(RunStatus.FAILED, f"the Job {name} was deleted before k6 ended")


def not_started(reason: str) -> Outcome:
    """A run that never reached k6 (refused start, expired request, unwritable state)."""
    return Outcome(RunStatus.FAILED, reason or "k6 could not be started")


def settle(ended: Outcome, *, timeout_hours: float | None, cancel_reason: str | None) -> Outcome:
    """The outcome to report once k6 ended: a stop the runner asked for tells why k6 stopped.

    ``timeout_hours`` is set when the runner stopped k6 at SCHEDULER_JOB_TIMEOUT_HOURS, and
    ``cancel_reason`` when someone cancelled the test; k6's own ending (mostly exit 105) says less.
    """
    if timeout_hours is not None:
        stop = Outcome(
            RunStatus.TIMED_OUT,
            f"stopped after {timeout_hours:g} h (SCHEDULER_JOB_TIMEOUT_HOURS)",
        )
    elif cancel_reason is not None:
        stop = cancelled(cancel_reason)
    else:
        return ended
    # A runner that had ended well before the stop keeps its ending; the others were stopped.
    runners = tuple(
        r if r.status is RunStatus.SUCCEEDED else r.model_copy(
            update={"status": stop.status, "reason": stop.reason, "thresholds_crossed": False}
        )
        for r in ended.runners
    )  # fmt: skip
    return replace(stop, runners=runners)


def cancelled(reason: str) -> Outcome:
    return Outcome(RunStatus.CANCELLED, reason or "cancelled")


def combined(ended: Sequence[tuple[str, Outcome | None]]) -> Outcome:
    """The outcome of a test split over runners, from each runner's (``name``, outcome), in
    segment order; None for a runner still going when another failed (it is then stopped).

    Any runner that failed fails the test, naming the runner; a runner stopped by the test's
    timeout or cancel gives the test that ending. k6 judges thresholds per runner, on its own
    share of the load: a runner that crossed them says so, named, and the platform's analysis
    judges the targets on the merged summary of every runner.
    """
    if len(ended) == 1 and ended[0][1] is not None:
        return ended[0][1]
    return replace(_combined(ended), runners=_each_runner(ended))


def _each_runner(ended: Sequence[tuple[str, Outcome | None]]) -> tuple[RunnerOutcome, ...]:
    return tuple(
        RunnerOutcome(
            index=i,
            name=name,
            status=o.status if o else RunStatus.CANCELLED,
            reason=o.reason if o else "stopped: another runner of the test failed",
            thresholds_crossed=o.thresholds_crossed if o else False,
        )
        for i, (name, o) in enumerate(ended, start=1)
    )


def _combined(ended: Sequence[tuple[str, Outcome | None]]) -> Outcome:
    count = len(ended)
    failures = [
        (i, name, o)
        for i, (name, o) in enumerate(ended, start=1)
        if o is not None and o.status is not RunStatus.SUCCEEDED
    ]
    if not failures:
        if any(o is None for _, o in ended):
            raise ValueError("a split run whose runners have not all ended needs a failed one")
        return SUCCEEDED
    broken = [f for f in failures if not f[2].thresholds_crossed] or failures
    parts = [f"runner {i}/{count} ({name}): {o.reason}" for i, name, o in broken]
    reason = tail("; ".join(parts))
    if all(o.thresholds_crossed for _, _, o in broken):
        return Outcome(RunStatus.FAILED, f"{THRESHOLDS_CROSSED} on {reason}", True)
    status = next(
        (o.status for _, _, o in broken if o.status is not RunStatus.FAILED), RunStatus.FAILED
    )
    return Outcome(status, reason)
