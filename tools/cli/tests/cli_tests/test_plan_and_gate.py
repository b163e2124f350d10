"""Plan files and the exit code, without a gateway."""

from __future__ import annotations

from pathlib import Path

import pytest

from mv_cli.gate import Exit, exit_code
from mv_cli.plan import PlanError, load_plan

PLAN = """
project: 데모 쇼핑
spec: http://127.0.0.1:8080/docs
title: nightly
target_tps: 50
scenarios:
  - name: 상품 목록
    endpoint: get /products
    executor: constant-vus
    vus: 5
    duration: 30s
    response_time_target: {max_ms: 200, percentile: 95}
  - name: order
    endpoint: POST /orders
    body: {customer: 홍길동, lines: [{product_id: 1, quantity: 2}]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plan_becomes_the_load_test_body(tmp_path: Path) -> None:
    plan = load_plan(write(tmp_path, PLAN))
    body = plan.load_test({("GET", "/products"): 3, ("POST", "/orders"): 7})
    assert body["title"] == "nightly"
    assert body["target_tps"] == 50
    assert "metrics_mode" not in body  # the gateway's default
    assert (
        load_plan(write(tmp_path, PLAN + "metrics_mode: precise\n")).load_test(
            {("GET", "/products"): 3, ("POST", "/orders"): 7}
        )["metrics_mode"]
        == "precise"
    )
    first, second = body["scenarios"]
    assert first == {
        "name": "상품 목록",
        "endpoint_id": 3,
        "executor": "constant-vus",
        "vus": 5,
        "duration": "30s",
        "response_time_target": {"max_ms": 200, "percentile": 95},
    }
    assert second["body"] == {"customer": "홍길동", "lines": [{"product_id": 1, "quantity": 2}]}


def test_an_endpoint_the_spec_lacks_is_named(tmp_path: Path) -> None:
    plan = load_plan(write(tmp_path, PLAN))
    with pytest.raises(PlanError, match=r"no endpoint POST /orders"):
        plan.load_test({("GET", "/products"): 3})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("project: [", "not YAML"),
        ("project: p\ntitle: t\nspec: u\nscenarios: []", "scenarios: List should have at least 1"),
        (
            "project: p\ntitle: t\nspec: u\nscenarios: [{name: a, endpoint: /x}]",
            r'scenarios.0.endpoint: Value error, expected "METHOD /path"',
        ),
        ("project: p\ntitle: t\nspec: u\nscenarios: [{name: a, endpoint: GET /}]\nvus: 3", "vus"),
    ],
)
def test_bad_plans_say_where_and_why(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        load_plan(write(tmp_path, text))


def test_exit_codes_follow_the_gateways_verdict() -> None:
    done = {"status": "succeeded", "state": "completed"}
    passed = {"findings": [{"severity": "warning"}], "verdict": {"outcome": "passed"}}
    failed = {"findings": [{"severity": "critical"}], "verdict": {"outcome": "failed"}}
    assert exit_code(done, passed) is Exit.PASSED
    assert exit_code(done, failed) is Exit.GATE_FAILED
    # k6 crossed its thresholds: the run completed, and the verdict decides.
    crossed = {"status": "failed", "status_reason": "thresholds crossed", "state": "completed"}
    assert exit_code(crossed, failed) is Exit.GATE_FAILED
    assert exit_code({"status": "failed", "state": "failed_to_run"}, None) is Exit.NOT_RUN
    assert exit_code({"status": "cancelled", "state": "cancelled"}, passed) is Exit.NOT_RUN
    assert exit_code(done, None) is Exit.NOT_RUN


def test_exit_codes_from_a_gateway_before_the_verdict() -> None:
    clean = {"findings": [{"severity": "info"}, {"severity": "warning"}]}
    critical = {"findings": [{"severity": "critical"}]}
    ok = {"status": "succeeded"}
    assert exit_code(ok, clean) is Exit.PASSED
    assert exit_code(ok, critical) is Exit.GATE_FAILED
    crossed = {"status": "failed", "status_reason": "thresholds crossed: p(95)<100"}
    assert exit_code(crossed, clean) is Exit.GATE_FAILED
    assert exit_code({"status": "failed", "status_reason": "script error"}, None) is Exit.NOT_RUN
    assert exit_code({"status": "cancelled"}, clean) is Exit.NOT_RUN
    assert exit_code(ok, None) is Exit.NOT_RUN
