"""What a run means for CI: the exit code, from the run's state and the gateway's verdict.

The verdict is the gateway's own (``analysis.verdict``: the one the result page, the HTML report
and the JUnit file show); this module only maps it to an exit code.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

# The runner's reason for a run that ended with k6's exit code 99: it ran, targets were missed.
THRESHOLDS_CROSSED = "thresholds crossed"


class Exit(IntEnum):
    PASSED = 0
    GATE_FAILED = 1  # the verdict is failed: a target missed or another critical finding
    # 2 is the command line's own usage error
    NOT_RUN = 3  # the test could not run, or its result could not be had


def _state(details: dict[str, Any]) -> str:
    """The gateway's run state; worked out from the status for a gateway without it."""
    if "state" in details:
        return str(details["state"])
    status, reason = details.get("status"), details.get("status_reason") or ""
    crossed = status == "failed" and reason.startswith(THRESHOLDS_CROSSED)
    return "completed" if status == "succeeded" or crossed else str(status)


def exit_code(details: dict[str, Any], analysis: dict[str, Any] | None) -> Exit:
    if _state(details) != "completed" or analysis is None:
        return Exit.NOT_RUN
    verdict = analysis.get("verdict")
    if isinstance(verdict, dict):
        return Exit.PASSED if verdict.get("outcome") == "passed" else Exit.GATE_FAILED
    # A gateway from before the verdict: critical findings, or k6's own thresholds crossed.
    critical = any(f.get("severity") == "critical" for f in analysis.get("findings", []))
    crossed = details.get("status") == "failed"
    return Exit.GATE_FAILED if crossed or critical else Exit.PASSED
