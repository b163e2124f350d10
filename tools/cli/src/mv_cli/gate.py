"""What a run means for CI: the exit code, from the run's status and its analysis."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

# The runner's reason for a run that ended with k6's exit code 99: it ran, targets were missed.
THRESHOLDS_CROSSED = "thresholds crossed"


class Exit(IntEnum):
    PASSED = 0
    GATE_FAILED = 1  # a target missed or a critical finding
    # 2 is the command line's own usage error
    NOT_RUN = 3  # the test could not run, or its result could not be had


def exit_code(status: str, reason: str | None, analysis: dict[str, Any] | None) -> Exit:
    crossed = status == "failed" and (reason or "").startswith(THRESHOLDS_CROSSED)
    if (status != "succeeded" and not crossed) or analysis is None:
        return Exit.NOT_RUN
    critical = any(f.get("severity") == "critical" for f in analysis.get("findings", []))
    return Exit.GATE_FAILED if crossed or critical else Exit.PASSED
