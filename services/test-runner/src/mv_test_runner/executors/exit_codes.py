"""k6 exit codes → the outcome of a run.

Verdict: exit 99 (thresholds crossed) is a test that ran to its end and missed its targets. It is
reported as ``failed`` with ``thresholds_crossed=True``, so "failed" means "did not meet its
targets or did not run", and ``thresholds_crossed`` tells a missed target from a crash.
"""

from __future__ import annotations

from mv_contracts.runs import RunStatus

from .base import Outcome, tail

# From k6's errext/exitcodes.
K6_EXIT_CODES: dict[int, str] = {
    97: "cloud test run failed",
    98: "cloud progress unavailable",
    99: "thresholds crossed",
    100: "setup() timed out",
    101: "teardown() timed out",
    102: "timed out",
    103: "engine error",
    104: "invalid configuration",
    105: "stopped from outside (signal or REST API)",
    106: "REST API could not start",
    107: "script error",
    108: "script aborted (test.abort())",
    127: "k6 executable not found",
}


def outcome_from_exit(code: int, output: str) -> Outcome:
    """The outcome of a k6 process that ended on its own with ``code``."""
    if code == 0:
        return Outcome(RunStatus.SUCCEEDED)
    if code == 99:
        return Outcome(RunStatus.FAILED, _thresholds_reason(output), thresholds_crossed=True)
    meaning = K6_EXIT_CODES.get(code) or (
        f"killed by signal {-code}" if code < 0 else "unexpected exit"
    )
    return Outcome(RunStatus.FAILED, f"k6 exited with code {code} ({meaning}): {tail(output)}")


def _thresholds_reason(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if "crossed" in line or "✗" in line]
    detail = "; ".join(lines[-10:])
    return tail(f"thresholds crossed: {detail}" if detail else "thresholds crossed", 1000)
