"""Splitting a test over runners: segments, the preflight, combined outcomes and counts."""

from __future__ import annotations

import itertools
import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from mv_contracts.lifecycle import K6Counts, RequestCounts, RunStatus
from mv_contracts.load import scenario_load, seconds
from mv_test_runner.executors import outcomes, segments
from mv_test_runner.executors.outcomes import Outcome
from mv_test_runner.script import generate_script
from mv_test_runner.script.counts import summed

from .requests import EXECUTOR_OPTIONS, make_request, scenario

K6_GRACEFUL_STOP = 30.0  # k6's default gracefulStop (gracefulRampDown for ramping-vus)


def test_segments_tile_the_test_and_share_one_sequence() -> None:
    assert [segments.execution_segment(i, 3) for i in (1, 2, 3)] == ["0:1/3", "1/3:2/3", "2/3:1"]
    assert segments.segment_sequence(3) == "0,1/3,2/3,1"
    assert segments.segment_args(1, 1) == []
    assert segments.segment_args(2, 4) == [
        "--tag",
        "runner=2",
        "--execution-segment",
        "1/4:2/4",
        "--execution-segment-sequence",
        "0,1/4,2/4,3/4,1",
    ]
    for n in (2, 5, 7):
        ends = [segments.execution_segment(i, n).split(":") for i in range(1, n + 1)]
        # Adjacent, from 0 to 1: every share of the load belongs to exactly one runner.
        assert ends[0][0] == "0"
        assert ends[-1][1] == "1"
        assert all(a[1] == b[0] for a, b in itertools.pairwise(ends))
        assert sum(Fraction(b) - Fraction(a) for a, b in ends) == 1
    with pytest.raises(ValueError, match="runner 4 of 3"):
        segments.execution_segment(4, 3)


def test_runners_are_named_after_the_run() -> None:
    names = [r.name for r in segments.runners("k6-t", 3)]
    assert names == ["k6-t-1", "k6-t-2", "k6-t-3"]
    assert [r.name for r in segments.runners("k6-t", 1)] == ["k6-t"]


@pytest.mark.parametrize("executor", sorted(EXECUTOR_OPTIONS))
def test_max_vus_is_what_k6_inspect_reports(executor: str, k6: str, tmp_path: Path) -> None:
    request = make_request(
        "http://127.0.0.1:9", scenario("a", executor), scenario("b", "constant-vus", vus=3)
    )
    generated = generate_script(request)
    script = tmp_path / "script.js"
    script.write_text(generated.text)
    result = subprocess.run(
        [k6, "inspect", "--execution-requirements", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert segments.max_vus(request) == json.loads(result.stdout)["maxVUs"]


@pytest.mark.parametrize("executor", sorted(EXECUTOR_OPTIONS))
def test_the_load_limits_read_a_scenario_as_k6_does(executor: str, k6: str, tmp_path: Path) -> None:
    """The one reading the gateway's limits check (mv_contracts.load) against k6's own: its
    VUs, and its length, which k6 reports with the default gracefulStop of 30 s added."""
    request = make_request("http://127.0.0.1:9", scenario("a", executor, start_time="7s"))
    script = tmp_path / "script.js"
    script.write_text(generate_script(request).text)
    result = subprocess.run(
        [k6, "inspect", "--execution-requirements", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    reported = json.loads(result.stdout)
    load = scenario_load(request.scenarios[0])
    assert load.vus == reported["maxVUs"]
    assert load.seconds + K6_GRACEFUL_STOP == seconds(reported["totalDuration"])


def test_preflight_refuses_impossible_splits_with_a_reason() -> None:
    two_vus = scenario("a", "constant-vus")  # 2 VUs
    assert segments.refusal(make_request("http://h", two_vus, parallelism=2), 10) is None
    too_many = segments.refusal(make_request("http://h", two_vus, parallelism=3), 10)
    assert too_many == (
        "parallelism 3 is above the test's 2 VUs at most: every runner needs at least one VU "
        "(use parallelism 2 or fewer)"
    )
    above_limit = segments.refusal(make_request("http://h", two_vus, parallelism=2), 1)
    assert above_limit == "parallelism 2 is above this runner's limit of 1 (MAX_PARALLELISM)"


def test_a_split_run_fails_when_any_runner_fails_and_names_it() -> None:
    ok = outcomes.SUCCEEDED
    crashed = outcomes.from_exit(107, 'level=error msg="boom"')
    crossed = outcomes.from_exit(99, "thresholds on metrics 'http_req_failed' have been crossed")
    assert outcomes.combined([("k6-t", crashed)]) == crashed
    assert outcomes.combined([("a", ok), ("b", ok), ("c", ok)]) == ok
    assert outcomes.combined([("a", ok), ("b", crashed), ("c", crossed)]) == Outcome(
        RunStatus.FAILED, "runner 2/3 (b): script error (exit code 107): boom"
    )
    assert outcomes.combined([("a", crossed), ("b", ok)]) == Outcome(
        RunStatus.FAILED,
        "thresholds crossed on runner 1/2 (a): thresholds crossed: http_req_failed",
        thresholds_crossed=True,
    )
    stopped = outcomes.Outcome(RunStatus.TIMED_OUT, "late")
    assert outcomes.combined([("a", ok), ("b", stopped)]).status is RunStatus.TIMED_OUT


def test_counts_of_a_split_run_are_the_sum_or_unknown() -> None:
    def counts(requests: int, failed: int) -> K6Counts:
        figures = RequestCounts(requests=requests, failed=failed)
        return K6Counts(overall=figures, scenarios={"s01": figures})

    total = summed([counts(3, 1), counts(4, 0), counts(5, 2)])
    assert total == counts(12, 3).model_copy(update={"runners": 3})
    # A runner without its count: the total is unknown, never a sum missing that runner.
    assert summed([counts(3, 1), None]) is None


def test_a_runner_failing_while_others_run_is_named_by_its_place() -> None:
    crashed = outcomes.from_exit(107, "")
    assert outcomes.combined([("a", None), ("b", crashed), ("c", None)]) == Outcome(
        RunStatus.FAILED, "runner 2/3 (b): script error (exit code 107)"
    )


def test_each_runner_keeps_its_own_ending_for_the_finished_event() -> None:
    crashed = outcomes.from_exit(107, "")
    ended = outcomes.combined([("a", outcomes.SUCCEEDED), ("b", crashed), ("c", None)])
    assert [(r.index, r.name, r.status, r.reason) for r in ended.runners] == [
        (1, "a", RunStatus.SUCCEEDED, None),
        (2, "b", RunStatus.FAILED, "script error (exit code 107)"),
        (3, "c", RunStatus.CANCELLED, "stopped: another runner of the test failed"),
    ]
    assert outcomes.combined([("k6-t", crashed)]).runners == ()  # one runner: the test's ending
    # A cancel: runners that had not ended well were stopped by it, and say so.
    stopped = outcomes.combined([("a", outcomes.SUCCEEDED), ("b", outcomes.from_exit(105, ""))])
    settled = outcomes.settle(stopped, timeout_hours=None, cancel_reason="cancelled by ann")
    assert settled == Outcome(RunStatus.CANCELLED, "cancelled by ann")
    assert [(r.status, r.reason) for r in settled.runners] == [
        (RunStatus.SUCCEEDED, None),
        (RunStatus.CANCELLED, "cancelled by ann"),
    ]
    with pytest.raises(ValueError, match="needs a failed one"):
        outcomes.combined([("a", None), ("b", outcomes.SUCCEEDED)])
