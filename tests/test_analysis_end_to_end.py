"""The analysis on a real run, gated by the CLI: every real part (NATS, InfluxDB, PostgreSQL,
k6, the five services and the demo API as processes). Three scenarios built to show what the
findings are for — one that saturates (the demo's /limited serves four requests at a time while
its load ramps), one with a burst of failures (/bursty fails for five seconds in every thirty),
one that slows down as it runs (/leaky), and a healthy one — run through ``metric-vault run``:
the findings name the saturating, failing and slowing scenarios and leave the healthy one alone,
and the CLI fails the CI job."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest

from mv_devstack.config import StackConfig
from mv_devstack.services import services_running

# The healthy scenario must draw no finding: its response times are judged, which the other
# tests' load on the machine would move.
pytestmark = [pytest.mark.slow, pytest.mark.quiet]

PLAN = """
project: 분석 데모
spec: {demo}/docs
title: analysis end to end
metrics_mode: precise  # the findings read per-second series of every sample
scenarios:
  - name: saturating
    endpoint: GET /limited
    executor: ramping-vus
    stages: [{{duration: 4s, target: 2}}, {{duration: 16s, target: 40}}]
  - name: failing
    endpoint: GET /bursty
    executor: constant-vus
    vus: 2
    duration: 20s
    think_time: 0.05
  - name: leaking
    endpoint: GET /leaky
    executor: constant-vus
    vus: 2
    duration: 20s
    think_time: 0.05
  - name: healthy
    endpoint: GET /products
    executor: constant-vus
    vus: 2
    duration: 20s
    think_time: 0.05
    response_time_target: {{max_ms: 500, percentile: 95}}
"""


def findings_by_scenario(analysis: dict[str, Any]) -> dict[str | None, set[str]]:
    found: dict[str | None, set[str]] = {}
    for finding in analysis["findings"]:
        if finding["severity"] != "info":
            found.setdefault(finding["scenario"], set()).add(finding["rule"])
    return found


def test_findings_of_a_real_run_and_the_cli_gate(
    services_config: StackConfig, tmp_path: Path
) -> None:
    config = services_config
    plan, junit, report = tmp_path / "plan.yaml", tmp_path / "junit.xml", tmp_path / "report.html"
    plan.write_text(PLAN.format(demo=config.demo_url), encoding="utf-8")
    with services_running(config, demo=True):
        cli = subprocess.run(
            [sys.executable, "-m", "mv_cli", "run", str(plan), "--gateway", config.gateway_url,
             "--junit", str(junit), "--report", str(report), "--quiet"],
            capture_output=True, text=True, timeout=240, check=False,
            env={**os.environ, "METRIC_VAULT_TOKEN": config.admin_token_file.read_text().strip()},
        )  # fmt: skip
        with httpx.Client(
            base_url=config.gateway_url, headers=config.admin_headers(), timeout=10
        ) as http:
            board = http.get("/test-history/simple", params={"limit": 1}).json()
            assert board, cli.stdout + cli.stderr
            latest = board[0]
            analysis = http.get(f"/test-history/{latest['id']}/analysis").json()
            series = http.get(f"/test-history/{latest['id']}/series").json()
            details = http.get(f"/test-history/{latest['id']}/details").json()

    assert cli.returncode == 1, cli.stdout + cli.stderr  # a critical finding fails the job
    # the finding names the threshold it judged by, and the verdict says why it failed
    assert "above the 5 % threshold" in cli.stdout
    assert "verdict: FAILED" in cli.stdout
    assert "▲ live [failing] Failures are rising" in cli.stderr  # raised while it ran
    found = findings_by_scenario(analysis)
    assert "load.saturation" in found.get("saturating", set()), analysis
    assert {"failures.burst", "failures.rate"} <= found.get("failing", set()), analysis
    # Precise mode: the failures by status of every sample; /bursty answers 500, named so.
    failing = next(s for s in details["scenarios"] if s["name"] == "failing")
    assert [(f["label"], f["count"]) for f in failing["failures"]] == [
        ("HTTP 500", failing["figures"]["failed_requests"])
    ]
    rate = next(
        f
        for f in analysis["findings"]
        if (f["rule"], f["scenario"]) == ("failures.rate", "failing")
    )
    assert "HTTP 500 in 100 % of failures" in rate["detail"]["en"]
    assert "k6" not in rate["detail"]["en"] + rate["detail"]["ko"]
    assert "load.drift" in found.get("leaking", set()), analysis
    healthy = [f for f in analysis["findings"] if f["scenario"] == "healthy"]
    assert "healthy" not in found, healthy
    assert "load.saturation" not in found.get("failing", set())
    assert set(series["scenarios"]) == {"saturating", "failing", "leaking", "healthy"}

    suite = ET.fromstring(junit.read_text(encoding="utf-8"))  # noqa: S314 -- our own output
    failed = {c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None}
    assert "scenario failing" in failed
    assert "healthy: p95 target met" not in failed
    assert "scenario healthy" not in failed
    html = report.read_text(encoding="utf-8")
    assert "Throughput limit reached" in html
    assert "<svg" in html
