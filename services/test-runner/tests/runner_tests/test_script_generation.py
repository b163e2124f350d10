"""Script generation per executor and threshold kind, checked with ``k6 inspect``, and golden
scripts compared byte for byte with ``golden/scripts/<case>.js`` (regenerate: see golden.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from mv_contracts.runs import scenario_tag
from mv_test_runner.script import generate_script, is_secret_header
from mv_test_runner.script.calls import build_url, vu_tag
from mv_test_runner.script.counts import SUMMARY_TREND_STATS

from .conftest import k6_inspect
from .golden import check_bytes, files, updating
from .golden_requests import SCRIPTS
from .requests import EXECUTOR_OPTIONS, make_request, scenario

K6_NAMES = {
    "vus": "vus", "duration": "duration", "rate": "rate", "time_unit": "timeUnit",
    "pre_allocated_vus": "preAllocatedVUs", "max_vus": "maxVUs", "iterations": "iterations",
}  # fmt: skip


def inspect(k6: str, tmp_path: Path, text: str, env: dict[str, str]) -> dict[str, Any]:
    script = tmp_path / "script.js"
    script.write_text(text, encoding="utf-8")
    result = k6_inspect(k6, script, env)
    assert result.returncode == 0, result.stderr
    options: dict[str, Any] = json.loads(result.stdout)
    return options


@pytest.mark.parametrize("executor", sorted(EXECUTOR_OPTIONS))
def test_each_executor_reaches_k6_with_its_options(executor: str, k6: str, tmp_path: Path) -> None:
    request = make_request("http://127.0.0.1:9", scenario("주문 조회", executor, start_time="2s"))
    generated = generate_script(request)
    options = inspect(k6, tmp_path, generated.text, generated.secrets)

    key = scenario_tag(0, "주문 조회")
    assert list(options["scenarios"]) == [key]
    parsed = options["scenarios"][key]
    assert parsed["executor"] == executor
    assert parsed["exec"] == key
    assert parsed["startTime"] == "2s"
    for field, value in EXECUTOR_OPTIONS[executor].items():
        if field == "stages":
            assert parsed["stages"] == value
        elif field == "duration" and executor.endswith("iterations"):
            assert parsed["maxDuration"] == value
        elif field == "vus" and executor == "ramping-vus":
            assert parsed["startVUs"] == value
        elif field == "rate" and executor == "ramping-arrival-rate":
            assert parsed["startRate"] == value
        else:
            assert parsed[K6_NAMES[field]] == value, field
    assert options["tags"] == {"testid": "t-0001"}
    # What handleSummary reads: every statistic of the response times, med as the p50.
    assert options["summaryTrendStats"] == SUMMARY_TREND_STATS


def test_thresholds_per_scenario_submetric(k6: str, tmp_path: Path) -> None:
    request = make_request(
        "http://127.0.0.1:9",
        scenario("fast", response_time_target={"max_ms": 250, "percentile": 99.9}),
        scenario("reliable", error_rate_target=0.015),
        scenario("both", response_time_target={"max_ms": 500}, error_rate_target=0),
        scenario("none"),
    )
    options = inspect(k6, tmp_path, generate_script(request).text, {})
    keys = ["s01_fast", "s02_reliable", "s03_both", "s04_none"]
    # Each scenario also gets the always-passing thresholds that make k6 count it on its own.
    counting = {f"http_reqs{{scenario:{key}}}": ["count>=0"] for key in keys}
    targets = {
        "http_req_duration{scenario:s01_fast}": ["p(99.9)<250", "max>=0"],
        "http_req_failed{scenario:s01_fast}": ["rate>=0"],
        "http_req_duration{scenario:s02_reliable}": ["max>=0"],
        "http_req_failed{scenario:s02_reliable}": ["rate<0.015", "rate>=0"],
        "http_req_duration{scenario:s03_both}": ["p(95)<500", "max>=0"],
        "http_req_failed{scenario:s03_both}": ["rate<0", "rate>=0"],
        "http_req_duration{scenario:s04_none}": ["max>=0"],
        "http_req_failed{scenario:s04_none}": ["rate>=0"],
    }
    assert options["thresholds"] == counting | targets
    assert set(options["scenarios"]) == set(keys)


@pytest.mark.parametrize("case", sorted(SCRIPTS))
def test_golden_scripts(case: str) -> None:
    check_bytes(f"scripts/{case}.js", generate_script(SCRIPTS[case]()).text)


def test_golden_files_match_the_cases() -> None:
    assert files("scripts") == {f"{case}.js" for case in SCRIPTS}


@pytest.mark.parametrize("seed", ["0", "4242"])
def test_golden_scripts_come_out_the_same_in_other_processes(seed: str) -> None:
    """Same request, same bytes, also where set and dict hashing differs (PYTHONHASHSEED)."""
    if updating():
        pytest.skip("the golden files are being rewritten")
    build = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent.parent)!r})\n"
        "from runner_tests.golden_requests import SCRIPTS\n"
        "from mv_test_runner.script import generate_script\n"
        "built = {case: generate_script(make()) for case, make in SCRIPTS.items()}\n"
        "out = {case: [b.text, b.secrets] for case, b in built.items()}\n"
        "sys.stdout.buffer.write(json.dumps(out).encode())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    made = subprocess.run(
        [sys.executable, "-c", build], capture_output=True, env=env, timeout=120, check=True
    )
    built: dict[str, list[Any]] = json.loads(made.stdout)
    assert set(built) == set(SCRIPTS)
    for case, (text, secrets) in built.items():
        check_bytes(f"scripts/{case}.js", text)
        assert secrets == generate_script(SCRIPTS[case]()).secrets


def test_the_korean_golden_script_keeps_korean_as_utf8() -> None:
    """What the golden file must hold, so a regenerated file cannot hide escaped text."""
    text = generate_script(SCRIPTS["korean"]()).text
    for words in ("한국어 부하 테스트", "빨리 배송해 주세요", "따옴표", "😀 이모지"):
        assert words in text
    assert "\u2028" not in text
    assert "\\u2028" in text  # escaped: a raw U+2028 ends a line for old JavaScript parsers
    assert "%EC%A3%BC%EB%AC%B8" in text  # the path /주문 percent-encoded as UTF-8


@pytest.mark.parametrize("case", sorted(SCRIPTS))
def test_golden_scripts_are_valid_k6(case: str, k6: str, tmp_path: Path) -> None:
    request = SCRIPTS[case]()
    generated = generate_script(request)
    options = inspect(k6, tmp_path, generated.text, generated.secrets)
    assert len(options["scenarios"]) == len(request.scenarios)
    assert options["maxRedirects"] == 0  # load goes nowhere but the checked base URL
    # The endpoint's tags are the scenario's: k6 puts them on its samples, no request builds them.
    for position, each in enumerate(request.scenarios):
        call = each.journey()[0].endpoint
        method, path = call.method.upper(), call.path
        tags = options["scenarios"][scenario_tag(position, each.name)]["tags"]
        assert tags == {"name": path, "endpoint": f"{method} {path}"}


# All a scenario's function may do: call k6 with constants built at module scope (the method a
# string literal, null for no body), then sleep its think time. Anything more runs per request.
_K6_CALL = re.compile(
    r"  http\.(get\([A-Z0-9_]+_URL(, [A-Z0-9_]+_PARAMS)?\)"
    r'|request\("[A-Z]+", [A-Z0-9_]+_URL, ([A-Z0-9_]+_BODY|null)(, [A-Z0-9_]+_PARAMS)?\));'
)


@pytest.mark.parametrize("case", sorted(SCRIPTS))
def test_a_request_builds_nothing(case: str) -> None:
    """Params, headers, secrets and bodies are built once per VU: a request of the script costs
    k6 what a hand-written ``http.get(url)`` or ``http.request`` with constant params costs.
    The precise mode's VU tag is one tag change per iteration, before the request."""
    request = SCRIPTS[case]()
    text = generate_script(request).text
    for position, each in enumerate(request.scenarios):
        key = scenario_tag(position, each.name)
        function = text.split(f"export function {key}() {{\n", 1)[1].split("\n}", 1)[0]
        lines = function.splitlines()
        tagged = vu_tag(request)
        assert lines[: len(tagged)] == tagged
        call, *rest = lines[len(tagged) :]
        assert _K6_CALL.fullmatch(call), call
        assert rest == ([f"  sleep({each.think_time:g});"] if each.think_time else [])


def test_secrets_reach_k6_only_through_the_environment(k6: str, tmp_path: Path) -> None:
    request = make_request(
        "http://127.0.0.1:9",
        scenario("a", endpoint={"method": "GET", "path": "/", "headers": {"Cookie": "sid=C00K1E"}}),
        headers={"Authorization": "Bearer T0K3N", "X-API-Key": "K3Y", "Accept": "text/plain"},
    )
    generated = generate_script(request)
    for value in ("T0K3N", "K3Y", "C00K1E"):
        assert value not in generated.text
    assert sorted(generated.secrets.values()) == ["Bearer T0K3N", "K3Y", "sid=C00K1E"]
    assert "text/plain" in generated.text
    inspect(k6, tmp_path, generated.text, generated.secrets)
    # Without its environment the script refuses to start instead of sending no credentials.
    script = tmp_path / "script.js"
    failed = k6_inspect(k6, script, {})
    assert failed.returncode != 0
    assert "MV_SECRET_1" in failed.stderr + failed.stdout


@pytest.mark.parametrize(
    ("name", "secret"),
    [("Authorization", True), ("x-api-key", True), ("X-Auth-Token", True), ("Cookie", True),
     ("Accept", False), ("Content-Type", False), ("X-Request-Id", False)],
)  # fmt: skip
def test_secret_header_names(name: str, secret: bool) -> None:
    assert is_secret_header(name) is secret


def test_url_building_encodes_params_and_query() -> None:
    url = build_url("http://h:1/api/", "/users/{id}/posts/{pid}", {"id": "a b/c"}, {"q": "x&y"})
    assert url == "http://h:1/api/users/a%20b%2Fc/posts/%7Bpid%7D?q=x%26y"


@pytest.mark.parametrize(
    ("field", "value"),
    [("executor", "sideways"), ("duration", "10 minutes"), ("rate", -1),
     ("stages", [{"target": 3}])],
)  # fmt: skip
def test_impossible_requests_are_refused_naming_the_field(field: str, value: object) -> None:
    body = scenario("a", "constant-vus") | {field: value}
    with pytest.raises(ValidationError) as caught:
        make_request("http://127.0.0.1:9", body)
    assert field in str(caught.value)
