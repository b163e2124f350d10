"""Kinds of failed requests in words: named by the HTTP status when an answer came, by k6's
error code (its documented table, then its ranges) when none did."""

from __future__ import annotations

import pytest

from mv_contracts.metrics import FailureCount
from mv_gateway.analysis import failure_rows
from mv_gateway.analysis.failure_kinds import describe, label, meaning


@pytest.mark.parametrize(
    ("status", "code", "named", "en"),
    [
        ("500", "1500", "HTTP 500", "Internal Server Error"),
        ("404", "1404", "HTTP 404", "Not Found"),
        ("503", None, "HTTP 503", "Service Unavailable"),
        ("0", "1050", "k6 1050", "request timeout"),
        ("0", "1212", "k6 1212", "connection refused"),
        ("0", "1211", "k6 1211", "connect timeout"),
        ("0", "1220", "k6 1220", "connection reset by the server"),
        ("0", "1101", "k6 1101", "no IP found for the host"),
        ("0", "1615", "k6 1615", "HTTP/2 GOAWAY from the server"),
        ("0", "1199", "k6 1199", "DNS error"),
        ("0", "1999", "k6 1999", "k6 error"),
        ("200", "1701", "k6 1701", "response decompression failed"),
        ("0", None, "HTTP 0", "no answer"),
    ],
)
def test_a_kind_is_named_and_explained(status: str, code: str | None, named: str, en: str) -> None:
    kind = FailureCount(status=status, error_code=code, count=1)
    assert label(kind) == named
    assert meaning(kind).en.startswith(en)
    assert meaning(kind).ko  # Korean too, never left in English


def test_findings_name_answers_by_status_and_the_rest_by_meaning() -> None:
    assert describe(FailureCount(status="500", error_code="1500", count=1)).en == "HTTP 500"
    timeout = describe(FailureCount(status="0", error_code="1050", count=1))
    assert (timeout.en, timeout.ko) == ("request timeout (k6 1050)", "요청 시간 초과 (k6 1050)")


def test_rows_carry_each_kinds_share() -> None:
    rows = failure_rows(
        [
            FailureCount(status="404", error_code="1404", count=1),
            FailureCount(status="500", error_code="1500", count=3),
        ]
    )
    assert [(r.label, r.count, r.share) for r in rows] == [
        ("HTTP 500", 3, 0.75),
        ("HTTP 404", 1, 0.25),
    ]
    assert failure_rows([]) == []
