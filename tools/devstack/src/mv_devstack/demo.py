"""The newcomer's demo: analyse the demo API's spec through the gateway, run a short load test of
two scenarios with k6, follow it live over SSE, print the stored summary."""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from .config import StackConfig
from .processes import StackError

PROJECT_TITLE = "데모 쇼핑 (demo shop)"
Echo = Callable[[str], None]


def scenarios(endpoints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two scenarios: product reads at constant VUs, orders ramping up, each with targets."""
    by_route = {(e["method"], e["path"]): e["id"] for e in endpoints}
    try:
        product = by_route[("GET", "/products/{product_id}")]
        order = by_route[("POST", "/orders")]
    except KeyError as missing:
        raise StackError(f"the demo spec has no endpoint {missing}; was it analysed?") from None
    return [
        {
            "name": "상품 조회",
            "endpoint_id": product,
            "executor": "constant-vus",
            "vus": 4,
            "duration": "12s",
            "path_params": {"product_id": "1"},
            "think_time": 0.05,
            "response_time_target": {"max_ms": 500, "percentile": 95},
            "error_rate_target": 0.01,
        },
        {
            "name": "주문 생성",
            "endpoint_id": order,
            "executor": "ramping-vus",
            "stages": [{"duration": "4s", "target": 3}, {"duration": "8s", "target": 3}],
            "think_time": 0.1,
            "body": {
                "customer": "홍길동",
                "lines": [{"product_id": 2, "quantity": 1}],
                "memo": "문 앞에 놓아 주세요 🚪",
            },
            "response_time_target": {"max_ms": 800, "percentile": 99},
        },
    ]


class Demo:
    def __init__(self, config: StackConfig, echo: Echo, timeout: float = 180) -> None:
        self.config = config
        self.echo = echo
        self.deadline = time.monotonic() + timeout
        self.http = httpx.Client(
            base_url=config.gateway_url, headers=config.admin_headers(), timeout=60
        )

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        response = self.http.request(method, url, **kwargs)
        if response.status_code >= 400:
            raise StackError(f"{method} {url} answered {response.status_code}: {response.text}")
        return response.json()

    def project(self) -> int:
        for project in self._call("GET", "/project", params={"limit": 500}):
            if project["title"] == PROJECT_TITLE:
                return int(project["id"])
        created = self._call("POST", "/project", json={"title": PROJECT_TITLE})
        return int(created["id"])

    def analyse(self, project_id: int) -> int:
        """Through the demo's Swagger UI page, as a user would paste it."""
        url = f"{self.config.demo_url}/docs"
        analysis = self._call(
            "POST", "/openapi/analyze", params={"wait": "true", "timeout": 60},
            json={"project_id": project_id, "openapi_url": url},
        )  # fmt: skip
        if analysis["status"] != "succeeded":
            raise StackError(f"analysis of {url} did not succeed: {analysis}")
        self.echo(f"analysed {url} → spec {analysis['spec_id']}")
        return int(analysis["spec_id"])

    def start(self, spec_id: int) -> dict[str, Any]:
        endpoints = self._call("GET", "/endpoint", params={"spec_id": spec_id})
        created: dict[str, Any] = self._call(
            "POST", "/load-testing",
            json={
                "title": "데모 부하 테스트",
                "description": "two scenarios against examples/demo-api",
                "target_tps": 50,
                "scenarios": scenarios(endpoints),
            },
        )  # fmt: skip
        return created

    def follow(self, test_id: str) -> None:
        """Print each live snapshot until the test's end event."""
        url = f"/sse/k6-data?test_id={test_id}&include=k6_only"
        with self.http.stream("GET", url, timeout=httpx.Timeout(60, read=40)) as response:
            for event in _sse_data(response.iter_lines()):
                if time.monotonic() > self.deadline:
                    raise StackError("the demo test did not end in time")
                if event["kind"] == "end":
                    self.echo(f"  ended: {event['end']['status']}")
                    return
                figures = event["k6"]["overall"]
                self.echo(
                    f"  live: {figures['tps']:7.1f} req/s  {figures['requests_total']:6d} requests"
                    f"  p95 {_ms(figures.get('response_time_p95'))}"
                    f"  errors {figures['error_rate'] * 100:5.2f} %"
                )

    def summary(self, test_history_id: int) -> dict[str, Any]:
        details: dict[str, Any] = {}
        while time.monotonic() < self.deadline:
            details = self._call("GET", f"/test-history/{test_history_id}/details")
            # The figures (the aggregator's summary) and the final state (the runner's finished
            # event) arrive on different subjects, in either order: wait for both.
            summarised = details["figures"].get("total_requests") is not None
            if summarised and details["ended"]:
                return details
            time.sleep(1)
        raise StackError(
            f"the summary of test {test_history_id} was not stored in time: state "
            f"{details.get('state')!r}, figures {details.get('figures')}, "
            f"runners {details.get('runners')}"
        )

    def run(self) -> dict[str, Any]:
        project_id = self.project()
        spec_id = self.analyse(project_id)
        created = self.start(spec_id)
        test_id = created["test_id"]
        self.echo(f"load test {test_id} started; watch it live with")
        self.echo(
            f'  curl -N -H "Authorization: Bearer $(cat {self.config.admin_token_file})" '
            f"'{self.config.gateway_url}/sse/k6-data?test_id={test_id}'"
        )
        self.follow(test_id)
        details = self.summary(int(created["test_history_id"]))
        for line in summary_lines(details):
            self.echo(line)
        return details


def _sse_data(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    for line in lines:
        if line.startswith("data: "):
            yield json.loads(line[len("data: ") :])


def _ms(value: float | None) -> str:
    return f"{value:7.1f} ms" if value is not None else "      - ms"


def _pad(text: str, width: int) -> str:
    """Left-justify by display width: Hangul and other wide characters take two columns."""
    shown = ""
    for char in text:
        if _width(shown + char) > width:
            break
        shown += char
    return shown + " " * (width - _width(shown))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def summary_lines(details: dict[str, Any]) -> list[str]:
    """The stored figures as a small table, overall then per scenario."""
    columns = [
        ("requests", "total_requests", "{:.0f}"), ("failed", "failed_requests", "{:.0f}"),
        ("avg TPS", "avg_tps", "{:.1f}"), ("avg ms", "avg_response_time", "{:.1f}"),
        ("p95 ms", "p95_response_time", "{:.1f}"), ("p99 ms", "p99_response_time", "{:.1f}"),
        ("errors %", "avg_error_rate", "{:.2%}"),
    ]  # fmt: skip

    def row(name: str, figures: dict[str, Any]) -> str:
        cells = [
            (fmt.format(figures[key]) if figures.get(key) is not None else "-").rjust(10)
            for _, key, fmt in columns
        ]
        return _pad(name, 18) + "".join(cells)

    lines = [f"\nsummary of '{details['title']}' ({details['status']})"]
    lines.append(f"{'':<18}" + "".join(label.rjust(10) for label, _, _ in columns))
    lines.append(row("overall", details["figures"]))
    for scenario in details["scenarios"]:
        lines.append(row(scenario["name"], scenario["figures"]))
    return lines
