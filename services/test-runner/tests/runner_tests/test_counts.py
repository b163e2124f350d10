"""k6's counts line: read back from a log as k6 writes it, or nothing when it is not there."""

from __future__ import annotations

import pytest

from mv_contracts.runs import K6Counts, RequestCounts
from mv_test_runner.script.counts import COUNTS_MARKER, parse_counts

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
