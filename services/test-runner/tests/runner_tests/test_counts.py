"""k6's counts line: read back from a log as k6 writes it, or nothing when it is not there; the
sum over the runners of a split test."""

from __future__ import annotations

import pytest

from mv_contracts.lifecycle import K6Counts, RequestCounts, ResponseTimes
from mv_test_runner.script.counts import COUNTS_MARKER, parse_counts, summed

# As k6 (v1 in the Job image, v2 locally) writes it: logfmt, the message Go-quoted.
LINE = (
    'time="2026-12-01T09:11:27Z" level=info msg="' + COUNTS_MARKER + ' {\\"overall\\":'
    '{\\"requests\\":2290,\\"failed\\":12},\\"scenarios\\":{\\"s01_login\\":{\\"requests\\":'
    '2290,\\"failed\\":12}}}" source=console'
)
POD_LOG = f"""\
time="2026-12-01T09:11:20Z" level=warning msg="Request Failed" error="Get \\"http://x\\": EOF"
{LINE}


  █ THRESHOLDS

    http_reqs{{scenario:s01_login}}
    ✓ 'count>=0' count=2290
"""


def test_the_line_in_a_pod_log_gives_k6s_counts() -> None:
    assert parse_counts(POD_LOG) == K6Counts(
        overall=RequestCounts(requests=2290, failed=12),
        scenarios={"s01_login": RequestCounts(requests=2290, failed=12)},
    )


def test_the_last_line_wins() -> None:
    earlier = LINE.replace("2290", "1")
    assert parse_counts(f"{earlier}\n{POD_LOG}") == parse_counts(POD_LOG)


@pytest.mark.parametrize(
    "output",
    [
        "",
        'level=error msg="Error: boom at init"',  # k6 ended before its summary
        LINE.replace('\\"overall\\"', '\\"total\\"'),  # not our shape
        LINE.replace("2290,", "-1,", 1),  # not a count
        LINE.replace("{\\", "[\\", 1),  # not JSON
    ],
)
def test_no_or_broken_line_is_no_counts(output: str) -> None:
    assert parse_counts(output) is None


# k6 v2.2.0's line with response times (what the generated handleSummary logs), as k6 wrote it.
TIMES = (
    '{\\"count\\":2290,\\"min\\":0.412,\\"max\\":38.5,\\"avg\\":2.25,\\"p50\\":1.9,'
    '\\"p90\\":3.1,\\"p95\\":4.75,\\"p99\\":12.5}'
)
EMPTY = (
    '{\\"count\\":0,\\"min\\":0,\\"max\\":0,\\"avg\\":0,\\"p50\\":0,\\"p90\\":0,'
    '\\"p95\\":0,\\"p99\\":0}'
)
TIMED_LINE = (
    'time="2026-12-01T09:11:27Z" level=info msg="' + COUNTS_MARKER + ' {\\"overall\\":'
    '{\\"requests\\":2290,\\"failed\\":12,\\"response_time\\":' + TIMES + "},"
    '\\"scenarios\\":{\\"s01_login\\":{\\"requests\\":2290,\\"failed\\":12,'
    '\\"response_time\\":' + TIMES + '},\\"s02_idle\\":{\\"requests\\":0,'
    '\\"failed\\":0,\\"response_time\\":' + EMPTY + '}}}" source=console'
)
LOGIN = ResponseTimes(
    count=2290, min=0.412, max=38.5, avg=2.25, p50=1.9, p90=3.1, p95=4.75, p99=12.5
)


def test_k6s_response_times_come_with_its_counts() -> None:
    counts = parse_counts(TIMED_LINE)
    assert counts == K6Counts(
        overall=RequestCounts(requests=2290, failed=12, response_time=LOGIN),
        scenarios={
            "s01_login": RequestCounts(requests=2290, failed=12, response_time=LOGIN),
            # k6 says 0 for every statistic of a trend without samples: there are none.
            "s02_idle": RequestCounts(requests=0, failed=0, response_time=ResponseTimes(count=0)),
        },
    )
    assert counts.runners == 1


def _runner(requests: int, failed: int, times: ResponseTimes | None) -> K6Counts:
    figures = RequestCounts(requests=requests, failed=failed, response_time=times)
    return K6Counts(overall=figures, scenarios={"s01": figures})


def test_one_runner_is_its_own_sum_percentiles_included() -> None:
    alone = _runner(10, 1, LOGIN)
    assert summed([alone]) == alone


def test_a_sum_of_runners_merges_exactly_what_merges() -> None:
    a = ResponseTimes(count=3, min=1.0, max=9.0, avg=4.0, p50=3.0, p90=8.0, p95=8.5, p99=9.0)
    b = ResponseTimes(count=1, min=0.5, max=2.0, avg=2.0, p50=2.0, p90=2.0, p95=2.0, p99=2.0)
    idle = ResponseTimes(count=0)
    total = summed([_runner(3, 1, a), _runner(1, 0, b), _runner(0, 0, idle)])
    assert total is not None
    # Percentiles do not merge: the aggregator takes them from the merged histograms.
    merged = ResponseTimes(count=4, min=0.5, max=9.0, avg=(3 * 4.0 + 2.0) / 4)
    assert total == K6Counts(
        overall=RequestCounts(requests=4, failed=1, response_time=merged),
        scenarios={"s01": RequestCounts(requests=4, failed=1, response_time=merged)},
        runners=3,
    )


def test_a_scenario_only_some_runners_ran_is_summed_over_those() -> None:
    one = _runner(2, 0, ResponseTimes(count=2, min=1.0, max=3.0, avg=2.0))
    other = K6Counts(overall=one.overall, scenarios={})
    total = summed([one, other])
    assert total is not None
    assert total.scenarios == {"s01": one.scenarios["s01"]}
    assert total.overall.requests == 4


def test_no_sum_without_every_runner_and_no_times_without_every_runners_times() -> None:
    assert summed([_runner(1, 0, LOGIN), None]) is None
    assert summed([]) is None
    older = summed([_runner(1, 0, LOGIN), _runner(1, 0, None)])  # a script before response times
    assert older is not None
    assert (older.overall.requests, older.overall.response_time) == (2, None)
