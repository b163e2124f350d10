"""A team's own k6 script, read by the real ``k6 inspect`` and run unmodified by real k6 on the
local executor: two scenarios of its own, a module and a data file of its archive, thresholds,
its own ``handleSummary`` (whose file is still written), ``__ENV`` given at start; alone and
split over 3 runners; counts against what the loopback target served and what InfluxDB stored.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from mv_contracts.lifecycle import RunStatus
from mv_contracts.ownscripts import OwnScriptFiles
from mv_contracts.runs import MetricsMode, TestRunRequest
from mv_devstack.config import StackConfig
from mv_runtime.scriptfiles import pack
from mv_test_runner.executors.local import LocalExecutor
from mv_test_runner.lifecycle import scenario_names
from mv_test_runner.ownscript import own_script
from mv_test_runner.ownscript.inspect import inspect
from mv_test_runner.settings import Settings

from .echo import EchoServer
from .test_local_executor import influx
from .test_metrics_modes import stored

MAIN = """\
import http from "k6/http";
import { check } from "k6";
import { itemsPath } from "./lib/paths.js";

const users = JSON.parse(open("./data/users.json"));

export const options = {
  scenarios: {
    browse: { executor: "shared-iterations", vus: 2, iterations: 10, exec: "browse" },
    buy: { executor: "per-vu-iterations", vus: 3, iterations: 4, exec: "buy" },
  },
  thresholds: {
    http_req_failed: ["rate<0.5"],
    "http_reqs{scenario:buy}": ["count>=0"],
    http_req_duration: [__ENV.LIMIT || "p(95)<10000"],
  },
};

export function browse() {
  http.get(`${__ENV.BASE_URL}${itemsPath}?user=${users[0]}`);
}

export function buy() {
  const answer = http.post(`${__ENV.BASE_URL}/orders`, "{}", {
    headers: { Authorization: `Bearer ${__ENV.TOKEN}`, "X-Runner": __ENV.MV_RUNNER_ONLY || "-" },
  });
  check(answer, { ok: (r) => r.status === 200 });
}

export function handleSummary(data) {
  return { "own-summary.json": JSON.stringify({ requests: data.metrics.http_reqs.values.count }) };
}
"""
FILES = {
    "main.js": MAIN.encode(),
    "lib/paths.js": b'export const itemsPath = "/items";\n',
    "data/users.json": json.dumps(["kim"]).encode(),
}
TOKEN = "s3cr3t-token-value"


def own_request(url: str, mode: MetricsMode, parallelism: int = 1, **env: str) -> TestRunRequest:
    return TestRunRequest.model_validate(
        {
            "test_id": f"own-{uuid.uuid4()}",
            "title": "own script",
            "project_id": 1,
            "base_url": url,
            "metrics_mode": mode.value,
            "parallelism": parallelism,
            "own_script": {
                "version_id": 1,
                "entry": "main.js",
                "archive": pack(FILES),
                "max_vus": 5,
                "scenarios": ["browse", "buy"],
                "env": {"BASE_URL": url, "TOKEN": TOKEN, **env},
            },
        }
    )


async def test_inspect_reads_scenarios_and_thresholds_with_k6(k6: str) -> None:
    seen = await inspect(k6, OwnScriptFiles(entry="main.js", archive=pack(FILES)), 30)
    assert seen.ok, seen.error
    assert [(s.name, s.executor, s.exec) for s in seen.scenarios] == [
        ("browse", "shared-iterations", "browse"),
        ("buy", "per-vu-iterations", "buy"),
    ]
    assert seen.scenarios[1].options == {"vus": 3, "iterations": 4}
    assert seen.thresholds["http_req_failed"] == ["rate<0.5"]
    assert seen.thresholds["http_req_duration"] == ["p(95)<10000"]  # __ENV empty at inspection
    assert seen.max_vus == 5


@pytest.mark.parametrize(
    ("files", "file", "line", "words"),
    [
        (
            {"main.js": b"import http from 'k6/http';\nexport default function () {\n  x = ;\n}\n"},
            "main.js",
            3,
            "Unexpected token",
        ),
        (
            {
                "main.js": b'import { a } from "./lib/a.js";\nexport default function () {}\n',
                "lib/a.js": b'import { b } from "./missing.js";\nexport const a = b;\n',
            },
            "lib/a.js",
            1,
            "./missing.js",
        ),
        (
            {"main.js": b'export const options = {};\n\nthrow new Error("boom");\n'},
            "main.js",
            3,
            "boom",
        ),
    ],
    ids=["syntax", "missing-module", "thrown"],
)
async def test_inspect_refuses_with_the_file_and_line(
    k6: str, files: dict[str, bytes], file: str, line: int, words: str
) -> None:
    seen = await inspect(k6, OwnScriptFiles(entry="main.js", archive=pack(files)), 30)
    assert not seen.ok
    assert (seen.file, seen.line) == (file, line), seen.error
    assert seen.error is not None
    assert words in seen.error
    assert f"{file} line {line}" in seen.error
    assert "mv-inspect-" not in seen.error  # no temporary path of the runner


async def test_inspect_gives_up_on_init_code_that_never_ends(k6: str) -> None:
    files = {"main.js": b"while (true) {}\nexport default function () {}\n"}
    seen = await inspect(k6, OwnScriptFiles(entry="main.js", archive=pack(files)), 1)
    assert not seen.ok
    assert seen.error is not None
    assert "INSPECT_SECONDS" in seen.error


async def _run(settings: Settings, request: TestRunRequest) -> LocalExecutor:
    executor = LocalExecutor(settings)
    await executor.start(request, own_script(request))
    outcome = await executor.wait(request.test_id)
    assert outcome.status is RunStatus.SUCCEEDED, executor.output(request.test_id)
    return executor


def _served(echo: EchoServer) -> dict[str, int]:
    found: dict[str, int] = {}
    for received in echo.requests:
        key = "buy" if received.target.startswith(b"/orders") else "browse"
        found[key] = found.get(key, 0) + 1
    return found


async def test_own_script_runs_unmodified_and_its_counts_are_exact(
    settings: Settings, echo: EchoServer, stack: StackConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MV_RUNNER_ONLY", "the runner's own secret")  # never the script's
    request = own_request(echo.url, MetricsMode.FAST)
    executor = await _run(settings, request)
    test_id = request.test_id
    assert _served(echo) == {"browse": 10, "buy": 12}
    orders = [r for r in echo.requests if r.target.startswith(b"/orders")]
    assert all(r.header("Authorization") == f"Bearer {TOKEN}".encode() for r in orders)
    assert all(r.header("X-Runner") == b"-" for r in orders)
    (folder,) = executor.runner_dirs(test_id)
    # The user's handleSummary still wrote its file; k6's export beside it gave the counts.
    assert json.loads((folder / "own-summary.json").read_text()) == {"requests": 22}
    counts = await executor.counts(test_id)
    assert counts is not None
    assert (counts.overall.requests, counts.overall.failed) == (22, 0)
    assert counts.scenarios["buy"].requests == 12  # the script's own threshold names it
    rows = await stored(stack, test_id, 22)
    assert {k: v[0] for k, v in rows.items()} == {"browse": 10, "buy": 12}
    # The script ran as written, and the token reached k6 through its environment only.
    assert (executor.run_dir(test_id) / "script" / "main.js").read_bytes() == FILES["main.js"]
    assert TOKEN not in executor.output(test_id)
    assert scenario_names(request) == {"browse": "browse", "buy": "buy"}


async def test_own_script_split_over_three_runners_is_exact(
    settings: Settings, echo: EchoServer, stack: StackConfig
) -> None:
    request = own_request(echo.url, MetricsMode.PRECISE, parallelism=3)
    executor = await _run(settings, request)
    test_id = request.test_id
    assert _served(echo) == {"browse": 10, "buy": 12}
    folders = executor.runner_dirs(test_id)
    assert len(folders) == 3
    mine: list[Any] = [json.loads((f / "own-summary.json").read_text()) for f in folders]
    assert sum(m["requests"] for m in mine) == 22  # each runner's own handleSummary ran
    counts = await executor.counts(test_id)
    assert counts is not None
    assert (counts.overall.requests, counts.runners) == (22, 3)
    query = f"SELECT count(\"value\") FROM http_reqs WHERE testid='{test_id}' GROUP BY scenario"  # noqa: S608
    rows = await influx(stack, query)
    assert sorted(r[1] for r in rows) == [10, 12]


async def test_the_scripts_thresholds_crossed_fail_the_run(
    settings: Settings, echo: EchoServer
) -> None:
    request = own_request(echo.url, MetricsMode.FAST, LIMIT="max<0")
    executor = LocalExecutor(settings)
    await executor.start(request, own_script(request))
    outcome = await executor.wait(request.test_id)
    assert outcome.status is RunStatus.FAILED
    assert outcome.thresholds_crossed, outcome.reason
