"""How a run ended → status and reason (executors/outcomes.py), as tables of cases.

The k6 output in the tables is what k6 v2.2 printed for such runs (``--no-color``); the last
tests run real k6 and check the same mapping on its real exit codes and output.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mv_contracts.lifecycle import RunStatus
from mv_test_runner.executors import outcomes
from mv_test_runner.executors.outcomes import K6_EXIT_CODES, Outcome, Terminated

FAILED, TIMED_OUT, CANCELLED = RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.CANCELLED
LOG = 'time="2026-12-01T08:52:15Z" level='
REFUSED = f'{LOG}warning msg="Request Failed" error="Get \\"http://127.0.0.1:9/\\": refused"\n'
CROSSED_LINE = (
    f"{LOG}error msg=\"thresholds on metrics 'http_req_failed{{scenario:s01_a}}, "
    f"http_req_failed{{scenario:s02_b}}' have been crossed\"\n"
)
SUMMARY = """
  █ THRESHOLDS 

    http_req_duration{scenario:s01_a}
    ✓ 'p(95)<5000' p(95)=0s

    http_req_failed{scenario:s01_a}
    ✗ 'rate<0.01' rate=100.00%

    http_req_failed{scenario:s02_b}
    ✗ 'rate<0.5' rate=100.00%
    ✗ 'rate<0.01' rate=100.00%


  █ TOTAL RESULTS 

    HTTP
    http_req_failed.............: 100.00% 3 out of 3
"""  # noqa: W291 (k6 ends the section titles with a space)
SCRIPT_ERROR = (
    f'{LOG}error msg="Error: boom at init\\n\\tat file:///s/script.js:2:7(12)\\n" '
    'hint="script exception" source=stacktrace\n'
)
MARKED_FAILED = (
    f'{LOG}error msg="test marked as failed: nope"\n\n  █ TOTAL RESULTS \n'
    f'{LOG}error msg="test run was marked as failed"\n'
)
ALL_CROSSED = (
    "thresholds crossed: http_req_failed{scenario:s01_a} rate<0.01 (rate=100.00%); "
    "http_req_failed{scenario:s02_b} rate<0.5 (rate=100.00%); "
    "http_req_failed{scenario:s02_b} rate<0.01 (rate=100.00%)"
)
CONFIG = (
    "could not initialize 'c.js': could not load JS test 'file:///s/c.js': "
    'strconv.ParseInt: parsing "x": invalid syntax'
)
EXITS = [
    (0, "", Outcome(RunStatus.SUCCEEDED)),
    (0, SUMMARY, Outcome(RunStatus.SUCCEEDED)),  # the code decides, never the text
    (99, REFUSED * 3 + SUMMARY + CROSSED_LINE, Outcome(FAILED, ALL_CROSSED, True)),
    # A pod's termination message keeps the last lines only: the error line names the metrics.
    (99, CROSSED_LINE, Outcome(
        FAILED,
        "thresholds crossed: http_req_failed{scenario:s01_a}, http_req_failed{scenario:s02_b}",
        True,
    )),
    (99, "", Outcome(FAILED, "thresholds crossed", True)),
    (107, SCRIPT_ERROR + CROSSED_LINE.replace("have been", "were"), Outcome(
        FAILED,
        "script error (exit code 107): Error: boom at init\n\tat file:///s/script.js:2:7(12); "
        "thresholds on metrics 'http_req_failed{scenario:s01_a}, "
        "http_req_failed{scenario:s02_b}' were crossed",
    )),
    (104, f'{LOG}error msg="{CONFIG.replace(chr(34), chr(92) + chr(34))}"\n',
     Outcome(FAILED, f"invalid k6 configuration (exit code 104): {CONFIG}")),
    (110, MARKED_FAILED, Outcome(
        FAILED,
        "the script marked the test as failed (test.fail()) (exit code 110): "
        "test marked as failed: nope; test run was marked as failed",
    )),
    (105, f"{LOG}error msg=\"test run was aborted because k6 received a 'terminated' signal\"",
     Outcome(FAILED, "k6 was stopped from outside (a signal) (exit code 105): "
                     "test run was aborted because k6 received a 'terminated' signal")),
    (108, "no log lines\nat all\n",
     Outcome(FAILED, "the script aborted the test (test.abort()) (exit code 108): "
                     "no log lines\nat all")),
    (137, "", Outcome(FAILED, "k6 was killed by SIGKILL (exit code 137)")),
    (143, "  \n", Outcome(FAILED, "k6 was killed by SIGTERM (exit code 143)")),
    (200, "", Outcome(FAILED, "k6 ended unexpectedly (exit code 200)")),
    (3, "", Outcome(FAILED, "k6 ended unexpectedly (exit code 3)")),
    (255, f'{LOG}error msg="unknown flag: --nope"', Outcome(
        FAILED, "k6 failed (exit code 255): unknown flag: --nope")),
    (127, "sh: 1: k6: not found", Outcome(
        FAILED, "k6 executable not found (exit code 127): sh: 1: k6: not found")),
]  # fmt: skip


@pytest.mark.parametrize(("code", "output", "expected"), EXITS)
def test_exit_code_and_output_to_outcome(code: int, output: str, expected: Outcome) -> None:
    assert outcomes.from_exit(code, output) == expected


@pytest.mark.parametrize("code", sorted(K6_EXIT_CODES))
def test_every_k6_exit_code_is_a_failure_named_by_its_meaning(code: int) -> None:
    outcome = outcomes.from_exit(code, "")
    assert outcome.status is FAILED
    assert outcome.thresholds_crossed is (code == 99)
    assert outcome.reason is not None
    assert outcome.reason.startswith(K6_EXIT_CODES[code])


def test_a_long_output_keeps_the_meaning_and_the_last_lines() -> None:
    output = "".join(f"line {i}\n" for i in range(10_000))
    reason = outcomes.from_exit(107, output).reason
    assert reason is not None
    assert reason.startswith("script error (exit code 107): ")
    assert reason.endswith("line 9999")
    assert len(reason) < 2100
    crossed = outcomes.from_exit(99, CROSSED_LINE * 1000).reason or ""
    assert crossed.startswith("thresholds crossed: ")


def test_no_exit_code_says_so_with_k6s_errors() -> None:
    assert outcomes.no_exit_code("") == Outcome(FAILED, "k6 ended without an exit code")
    assert outcomes.no_exit_code(SCRIPT_ERROR).reason == (
        "k6 ended without an exit code: Error: boom at init\n\tat file:///s/script.js:2:7(12)"
    )


def condition(kind: str, reason: str = "", status: str = "True", **more: str) -> dict[str, str]:
    return {"type": kind, "status": status, "reason": reason, **more}


COMPLETE = condition("Complete", "CompletionsReached")
BACKOFF = condition("Failed", "BackoffLimitExceeded", message="Job has reached the backoff limit")
DEADLINE = condition("Failed", "DeadlineExceeded", message="Job was active longer than allowed")
DEADLINE_REASON = (
    "the Job ran past its deadline (activeDeadlineSeconds, from SCHEDULER_JOB_TIMEOUT_HOURS) "
    "and Kubernetes stopped k6"
)
OOM = (
    "k6 ran out of memory: it went past its container's limit and was killed "
    "(OOMKilled); raise K6_MEMORY_LIMIT or lower the load per runner"
)
JOBS: list[tuple[list[dict[str, str]], Terminated | None, Outcome | None]] = [
    ([], None, None),
    ([condition("FailureTarget", "BackoffLimitExceeded")], Terminated(99, "Error"), None),
    ([condition("SuccessCriteriaMet", "CompletionsReached")], Terminated(0, "Completed"), None),
    ([condition("Failed", "BackoffLimitExceeded", status="False")], None, None),
    ([condition("Suspended", "JobSuspended")], None, None),
    ([COMPLETE], None, Outcome(RunStatus.SUCCEEDED)),
    ([condition("SuccessCriteriaMet"), COMPLETE], Terminated(0, "Completed"),
     Outcome(RunStatus.SUCCEEDED)),
    ([DEADLINE], None, Outcome(TIMED_OUT, DEADLINE_REASON)),
    ([DEADLINE], Terminated(105, "Error"), Outcome(TIMED_OUT, DEADLINE_REASON)),
    ([condition("FailureTarget"), BACKOFF], Terminated(99, "Error", CROSSED_LINE), Outcome(
        FAILED,
        "thresholds crossed: http_req_failed{scenario:s01_a}, http_req_failed{scenario:s02_b}",
        True,
    )),
    ([BACKOFF], Terminated(107, "Error", SCRIPT_ERROR), Outcome(
        FAILED,
        "script error (exit code 107): Error: boom at init\n\tat file:///s/script.js:2:7(12)",
    )),
    ([BACKOFF], Terminated(137, "OOMKilled"), Outcome(FAILED, OOM)),
    ([BACKOFF], Terminated(137, "Error"),
     Outcome(FAILED, "k6 was killed by SIGKILL (exit code 137)")),
    ([BACKOFF], None, Outcome(
        FAILED, "the Job failed (BackoffLimitExceeded): Job has reached the backoff limit")),
    ([BACKOFF], Terminated(0, "Completed"), Outcome(
        FAILED, "the Job failed (BackoffLimitExceeded): Job has reached the backoff limit")),
    ([condition("Failed")], None, Outcome(FAILED, "the Job failed (no reason given)")),
]  # fmt: skip


@pytest.mark.parametrize(("conditions", "k6", "expected"), JOBS)
def test_job_conditions_and_the_k6_container_to_outcome(
    conditions: list[dict[str, str]], k6: Terminated | None, expected: Outcome | None
) -> None:
    assert outcomes.from_job({"conditions": conditions}, k6) == expected


DELETED = "the k6 pod was deleted before k6 ended (the Job then failed: BackoffLimitExceeded)"


@pytest.mark.parametrize(
    ("k6", "expected"),
    [
        (None, Outcome(FAILED, DELETED)),
        (Terminated(105, "Error"), Outcome(FAILED, DELETED)),
        (Terminated(143, "Error"), Outcome(FAILED, DELETED)),
        # k6 had ended by itself before its pod went: its own ending is the reason.
        (Terminated(107, "Error", SCRIPT_ERROR), Outcome(
            FAILED,
            "script error (exit code 107): Error: boom at init\n\tat file:///s/script.js:2:7(12)",
        )),
    ],
)  # fmt: skip
def test_a_pod_deleted_mid_test_is_the_reason_of_the_failed_job(
    k6: Terminated | None, expected: Outcome
) -> None:
    assert outcomes.from_job({"conditions": [BACKOFF]}, k6, pod_deleted=True) == expected
    assert outcomes.from_job({"conditions": [DEADLINE]}, k6, pod_deleted=True) == Outcome(
        TIMED_OUT, DEADLINE_REASON
    )


def test_a_job_without_status_is_still_running() -> None:
    assert outcomes.from_job(None, None) is None
    assert outcomes.from_job({"conditions": None}, None) is None


def pod(*containers: dict[str, Any], conditions: list[dict[str, Any]] | None = None) -> Any:
    return {"status": {"container_statuses": list(containers), "conditions": conditions}}


def container(name: str, **state: Any) -> dict[str, Any]:
    return {"name": name, "state": state}


@pytest.mark.parametrize(
    ("pods", "expected"),
    [
        ([], None),
        ([pod()], None),
        ([{"status": None}], None),
        ([pod(container("k6", running={"started_at": "now"}))], None),
        ([pod(container("k6", terminated={"exit_code": 99, "reason": "Error", "message": "m"}))],
         Terminated(99, "Error", "m")),
        ([pod(container("k6", terminated={"exit_code": 0, "reason": "Completed",
                                          "message": None}))],
         Terminated(0, "Completed", "")),
        ([pod(container("istio-proxy", terminated={"exit_code": 1}))], None),
        ([pod(container("k6", waiting={})),
          pod(container("k6", terminated={"exit_code": 105, "reason": "Error"}))],
         Terminated(105, "Error", "")),
    ],
)  # fmt: skip
def test_the_k6_container_is_found_among_the_pods(
    pods: list[dict[str, Any]], expected: Terminated | None
) -> None:
    assert outcomes.k6_container(pods) == expected


def waiting(reason: str, message: str | None = None) -> dict[str, Any]:
    return container("k6", waiting={"reason": reason, "message": message})


@pytest.mark.parametrize(
    ("subject", "problem"),
    [
        (pod(), None),
        ({"status": {}}, None),
        (pod(waiting("ContainerCreating")), None),
        (pod(waiting("PodInitializing", "x")), None),
        (pod(waiting("ImagePullBackOff", "Back-off pulling image")),
         "ImagePullBackOff: Back-off pulling image"),
        (pod(waiting("ErrImagePull")), "ErrImagePull"),
        (pod(waiting("InvalidImageName", "bad")), "InvalidImageName: bad"),
        (pod(waiting("CreateContainerConfigError", 'secret "k6-x" not found')),
         'CreateContainerConfigError: secret "k6-x" not found'),
        (pod(waiting("CreateContainerError", "e")), "CreateContainerError: e"),
        (pod(conditions=[{"type": "PodScheduled", "reason": "Unschedulable",
                          "message": "0/1 nodes are available"}]),
         "Unschedulable: 0/1 nodes are available"),
        (pod(conditions=[{"type": "PodScheduled", "status": "True"}]), None),
    ],
)  # fmt: skip
def test_pods_that_cannot_start_fail_the_run(subject: dict[str, Any], problem: str | None) -> None:
    expected = None if problem is None else Outcome(FAILED, f"the k6 pod cannot start: {problem}")
    assert outcomes.pod_cannot_start(subject) == expected


SUCCESS, CROSSED = Outcome(RunStatus.SUCCEEDED), Outcome(FAILED, "thresholds crossed", True)
STOPPED = outcomes.from_exit(105, "")


@pytest.mark.parametrize(
    ("ended", "timeout_hours", "cancel_reason", "expected"),
    [
        (SUCCESS, None, None, SUCCESS),
        (CROSSED, None, None, CROSSED),
        (STOPPED, None, None, STOPPED),  # stopped by someone else: k6's word stands
        (STOPPED, None, "사용자가 취소함", Outcome(CANCELLED, "사용자가 취소함")),
        (SUCCESS, None, "too late", Outcome(CANCELLED, "too late")),
        (STOPPED, 4.0, None, Outcome(TIMED_OUT, "stopped after 4 h (SCHEDULER_JOB_TIMEOUT_HOURS)")),
        (CROSSED, 0.25, "both", Outcome(
            TIMED_OUT, "stopped after 0.25 h (SCHEDULER_JOB_TIMEOUT_HOURS)")),
        (STOPPED, None, "", Outcome(CANCELLED, "cancelled")),
    ],
)  # fmt: skip
def test_a_stop_the_runner_asked_for_tells_why_k6_ended(
    ended: Outcome, timeout_hours: float | None, cancel_reason: str | None, expected: Outcome
) -> None:
    assert outcomes.settle(ended, timeout_hours=timeout_hours, cancel_reason=cancel_reason) == (
        expected
    )


def test_runs_that_never_reached_k6() -> None:
    assert outcomes.not_started("refused") == Outcome(FAILED, "refused")
    assert outcomes.not_started("") == Outcome(FAILED, "k6 could not be started")
    assert outcomes.job_gone("k6-x") == Outcome(FAILED, "the Job k6-x was deleted before k6 ended")


@pytest.mark.parametrize(
    ("status", "reason", "crossed"),
    [
        (RunStatus.SUCCEEDED, "fine", False),
        (FAILED, None, False),
        (TIMED_OUT, "", False),
        (CANCELLED, None, False),
        (FAILED, "script error", True),  # the gateway would store a reason that hides it
        (TIMED_OUT, "thresholds crossed", True),
        (RunStatus.SUCCEEDED, None, True),
    ],
)
def test_an_outcome_the_gateway_could_not_store_as_given_is_refused(
    status: RunStatus, reason: str | None, crossed: bool
) -> None:
    with pytest.raises(ValueError, match="reason"):
        Outcome(status, reason, crossed)


def k6_source(k6: str) -> Path:
    """errext/exitcodes/codes.go of the k6 we run, in Go's module cache (bootstrap built it)."""
    version = re.search(r"v\d+\.\d+\.\d+", subprocess.run(
        [k6, "version"], capture_output=True, text=True, check=True
    ).stdout)  # fmt: skip
    assert version is not None
    cache = subprocess.run(["go", "env", "GOMODCACHE"], capture_output=True, text=True)
    major = version[0].split(".")[0]
    module = "k6" if major in {"v0", "v1"} else f"k6/{major}"
    path = Path(cache.stdout.strip()) / f"go.k6.io/{module}@{version[0]}/errext/exitcodes/codes.go"
    if not path.exists():
        pytest.skip(f"k6's source is not in Go's module cache ({path}): k6 was not built here")
    return path


def test_the_table_holds_every_exit_code_of_the_k6_we_run(k6: str) -> None:
    defined = {
        name: int(code)
        for name, code in re.findall(
            r"^\s*(\w+)\s+ExitCode\s*=\s*(\d+)", k6_source(k6).read_text(), re.M
        )
    }
    assert defined["ThresholdsHaveFailed"] == 99
    assert {c for c in K6_EXIT_CODES if c < 126} == set(defined.values())


REQUEST = 'import http from "k6/http";\nimport exec from "k6/execution";\n'
SCENARIO = (
    'export const options = {scenarios: {s01: {executor: "shared-iterations", iterations: 2, '
    'exec: "s01"}}, thresholds: {"http_req_failed{scenario:s01}": ["rate<0.01"]}};\n'
)
REAL_RUNS = [
    (SCENARIO + 'export function s01() { http.get("http://127.0.0.1:9/"); }\n', Outcome(
        FAILED, "thresholds crossed: http_req_failed{scenario:s01} rate<0.01 (rate=100.00%)", True
    )),
    (SCENARIO + "export function s01() {}\n", Outcome(RunStatus.SUCCEEDED)),
    ('export default function () {}\nthrow new Error("boom at init");\n', Outcome(
        FAILED, "script error (exit code 107): Error: boom at init\n"
                "\tat file:///{dir}/script.js:4:7(14)")),
    ('export const options = {vus: "x"};\nexport default function () {}\n', Outcome(
        FAILED, "invalid k6 configuration (exit code 104): could not initialize 'script.js': "
                "could not load JS test 'file:///{dir}/script.js': strconv.ParseInt: "
                'parsing "x": invalid syntax')),
    ('export default function () { exec.test.abort("stop now"); }\n', Outcome(
        FAILED, "the script aborted the test (test.abort()) (exit code 108): test aborted: "
                "stop now at default (file:///{dir}/script.js:3:45(6))")),
    ('export default function () { exec.test.fail("nope"); }\n', Outcome(
        FAILED, "the script marked the test as failed (test.fail()) (exit code 110): "
                "test marked as failed: nope; test run was marked as failed")),
]  # fmt: skip


@pytest.mark.parametrize(("script", "expected"), REAL_RUNS)
def test_real_k6_runs_end_as_the_table_says(
    script: str, expected: Outcome, k6: str, tmp_path: Path
) -> None:
    (tmp_path / "script.js").write_text(REQUEST + script, encoding="utf-8")
    ran = subprocess.run(
        # --address=: no REST API, so no port to share with anything else on this machine.
        [k6, "run", "--no-color", "--quiet", "--address=", "script.js"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    outcome = outcomes.from_exit(ran.returncode, ran.stdout + ran.stderr)
    reason = None if expected.reason is None else expected.reason.replace("/{dir}", str(tmp_path))
    assert outcome == Outcome(expected.status, reason, expected.thresholds_crossed), ran.stderr
