"""The demo's plain parts: the scenarios it asks for and the table it prints."""

from __future__ import annotations

import pytest

from mv_devstack.demo import _width, scenarios, summary_lines
from mv_devstack.processes import StackError

ENDPOINTS = [
    {"id": 11, "method": "GET", "path": "/products/{product_id}"},
    {"id": 12, "method": "POST", "path": "/orders"},
    {"id": 13, "method": "GET", "path": "/health"},
]


def test_two_scenarios_on_the_demo_endpoints_with_targets() -> None:
    chosen = scenarios(ENDPOINTS)
    assert [(s["name"], s["endpoint_id"], s["executor"]) for s in chosen] == [
        ("상품 조회", 11, "constant-vus"),
        ("주문 생성", 12, "ramping-vus"),
    ]
    assert chosen[1]["body"]["customer"] == "홍길동"
    assert all(s["response_time_target"]["max_ms"] > 0 for s in chosen)


def test_a_spec_without_the_demo_endpoints_is_a_clear_error() -> None:
    with pytest.raises(StackError, match=r"no endpoint \('POST', '/orders'\)"):
        scenarios(ENDPOINTS[:1])


def test_summary_table_aligns_korean_names_and_shows_missing_figures_as_dashes() -> None:
    details = {
        "title": "데모",
        "status": "succeeded",
        "figures": {"total_requests": 1200, "failed_requests": 3, "avg_error_rate": 0.0025},
        "scenarios": [{"name": "상품 조회", "figures": {"total_requests": 900}}],
    }
    title, header, overall, scenario = summary_lines(details)
    assert title.strip() == "summary of '데모' (succeeded)"
    assert overall.split() == ["overall", "1200", "3", "-", "-", "-", "-", "0.25%"]
    assert scenario.split()[:3] == ["상품", "조회", "900"]
    # Hangul takes two columns on a terminal: the rows line up by display width
    assert _width(scenario) == _width(overall) == 18 + 7 * 10
    assert scenario.index("900") + sum(1 for c in "상품조회") == overall.index("1200") + 1
    assert header.strip().startswith("requests")
