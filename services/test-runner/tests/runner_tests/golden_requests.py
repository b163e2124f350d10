"""The pinned inputs of the golden tests: requests with fixed ids, nothing read from the clock.

Imported by the golden tests and by the subprocesses that build the same scripts under other
``PYTHONHASHSEED`` values, so both build from the same requests.
"""

from __future__ import annotations

from mv_contracts.runs import TestRunRequest

from .requests import EXECUTOR_OPTIONS, make_request, scenario

TEST_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
BASE_URL = "http://shop-api.test.svc:8080/api/"


def constant_vus() -> TestRunRequest:
    """The plainest run: one endpoint, constant VUs, no targets, no secrets."""
    return make_request(
        BASE_URL,
        scenario("list items", "constant-vus", endpoint={"method": "GET", "path": "/items"}),
        test_id=TEST_ID,
    )


def multiple_scenarios() -> TestRunRequest:
    """Three scenarios: targets of both kinds, think time, a JSON body, path and query values,
    plain headers beside secret ones (global and per endpoint)."""
    return make_request(
        BASE_URL,
        scenario(
            "list items",
            "constant-vus",
            endpoint={"method": "GET", "path": "/items", "query": {"page": "2", "q": "a&b c"}},
            think_time=0.5,
            response_time_target={"max_ms": 250, "percentile": 99.9},
        ),
        scenario(
            "create order",
            "constant-arrival-rate",
            endpoint={
                "method": "POST",
                "path": "/orders",
                "headers": {"X-Request-Source": "metric-vault", "Cookie": "sid=C00K1E"},
                "body": {"item_id": 7, "quantity": 2, "gift": False, "note": None},
            },
            error_rate_target=0.01,
        ),
        scenario(
            "get order",
            "ramping-vus",
            endpoint={
                "method": "GET",
                "path": "/orders/{order_id}/lines/{line}",
                "path_params": {"order_id": "A/1 2"},
            },
            response_time_target={"max_ms": 1000},
            error_rate_target=0,
            think_time=1,
        ),
        test_id=TEST_ID,
        title="checkout load",
        description="three endpoints of the shop",
        target_tps=50,
        headers={"Authorization": "Bearer T0K3N", "X-API-Key": "K3Y", "Accept": "application/json"},
    )


def korean() -> TestRunRequest:
    """Korean (and the line separators JavaScript parsers once choked on) everywhere; the precise
    metrics mode (the same script, another k6 output)."""
    return make_request(
        "http://주문.test.svc:8080",
        scenario(
            "주문 조회",
            "per-vu-iterations",
            endpoint={
                "method": "PUT",
                "path": "/주문/{번호}",
                "path_params": {"번호": "가-1"},
                "query": {"검색": "한국어 텍스트"},
                "headers": {"X-Note": "배송 메모 있음", "Accept-Language": "ko-KR"},
                "body": {"메모": "빨리 배송해 주세요 \u2028 감사합니다 \u2029", "수량": 3},
            },
            response_time_target={"max_ms": 300},
        ),
        scenario("😀 이모지", endpoint={"method": "GET", "path": "/"}),
        test_id="한국어-테스트-001",
        title="한국어 부하 테스트",
        metrics_mode="precise",
        description='설명: "따옴표" 와 </script> 그리고 \\ 역슬래시',
    )


def every_executor() -> TestRunRequest:
    """One scenario per k6 executor with all its options, each starting later than the last."""
    return make_request(
        BASE_URL,
        *(
            scenario(kind, kind, start_time=f"{position * 5}s")
            for position, kind in enumerate(sorted(EXECUTOR_OPTIONS))
        ),
        test_id=TEST_ID,
    )


def secret_fields() -> TestRunRequest:
    """Secrets the old header rule missed: headers, a query parameter and body fields, marked
    or named like a secret; only environment names appear in the script."""
    endpoint = {
        "method": "POST",
        "path": "/login",
        "query": {"api_key": "Q-S3CRET", "page": "1", "region": "kr"},
        "headers": {"Ocp-Apim-Subscription-Key": "SUB-S3CRET", "X-Trace": "T-S3CRET"},
        "body": {"user": {"name": "kim", "password": "P-S3CRET", "pin": 1234}, "keep": True},
        "secrets": {"headers": ["x-trace"], "query": ["region"], "body": ["user.pin"]},
    }
    return make_request(
        BASE_URL,
        scenario("log in", "constant-vus", endpoint=endpoint),
        headers={"X-Signature": "SIG-S3CRET", "Accept": "application/json"},
        test_id=TEST_ID,
    )


SCRIPTS = {
    "multiple-scenarios": multiple_scenarios,
    "korean": korean,
    "every-executor": every_executor,
    "constant-vus": constant_vus,
    "secret-fields": secret_fields,
}
