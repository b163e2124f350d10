"""Test data run by real k6 processes (the local executor, one runner or two) against a real
loopback server that records every row value it was sent: unique rows are each used at most
once over the whole test, split or not, and a test whose rows run out ends cleanly, the
iterations without a row counted in ``mv_data_exhausted``; the other modes take the rows they
say they take."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any
from urllib.parse import unquote

import pytest

from mv_contracts.data import DATA_EXHAUSTED
from mv_contracts.lifecycle import RunStatus
from mv_contracts.runs import MetricsMode, TestRunRequest
from mv_test_runner.executors.local import LocalExecutor
from mv_test_runner.executors.manifests import JobOptions, run_manifests
from mv_test_runner.script import generate_script
from mv_test_runner.settings import K6Output, Settings

from .echo import EchoServer

ROWS = 12
CODES = [f"행-{i:02d}" for i in range(ROWS)]  # non-ASCII: the values travel as UTF-8


def data_request(url: str, mode: str, parallelism: int, **load: Any) -> TestRunRequest:
    return TestRunRequest.model_validate(
        {
            "test_id": f"data-{uuid.uuid4()}",
            "title": "rows",
            "project_id": 1,
            "base_url": url,
            "parallelism": parallelism,
            "data": [
                {
                    "id": 4,
                    "name": "rows.csv",
                    "columns": ["code", "n"],
                    "rows": [[code, i] for i, code in enumerate(CODES)],
                }
            ],
            "scenarios": [
                {
                    "name": "rows",
                    "data": {"file_id": 4, "mode": mode},
                    "endpoint": {
                        "method": "POST",
                        "path": "/rows/{code}",
                        "path_params": {"code": "{{code}}"},
                        "body": {"n": "{{n}}", "id": "{{$uuid}}"},
                    },
                    **load,
                }
            ],
        }
    )


async def run(settings: Settings, request: TestRunRequest) -> list[dict[str, Any]]:
    """k6's own summary of each runner, after the run ended as it should."""
    executor = LocalExecutor(settings)
    await executor.start(request, generate_script(request))
    outcome = await executor.wait(request.test_id)
    assert outcome.status is RunStatus.SUCCEEDED, executor.output(request.test_id)
    return [
        json.loads((folder / "summary.json").read_text())["metrics"]
        for folder in executor.runner_dirs(request.test_id)
    ]


def seen(echo: EchoServer) -> Counter[str]:
    """Row codes the server received, each with how often; the body's row number agrees."""
    codes: Counter[str] = Counter()
    for received in echo.requests:
        code = unquote(received.target.decode().removeprefix("/rows/"))
        body = json.loads(received.body)
        assert CODES[body["n"]] == code  # the row's values stay together (and n a number)
        assert len(body["id"]) == 36
        codes[code] += 1
    return codes


def exhausted(summaries: list[dict[str, Any]]) -> int:
    return sum(int(m.get(DATA_EXHAUSTED, {}).get("count", 0)) for m in summaries)


@pytest.mark.parametrize("parallelism", [1, 2])
async def test_unique_rows_are_used_once_and_the_test_ends_when_they_run_out(
    settings: Settings, echo: EchoServer, parallelism: int
) -> None:
    request = data_request(
        echo.url, "unique", parallelism, executor="shared-iterations", vus=2, iterations=20
    )
    summaries = await run(settings, request)
    codes = seen(echo)
    assert codes == Counter(CODES)  # every row once, none twice, over every runner
    assert exhausted(summaries) == 20 - ROWS
    ids = [json.loads(r.body)["id"] for r in echo.requests]
    assert len(set(ids)) == len(ids)  # a fresh generated value per request


async def test_vus_whose_rows_ran_out_rest_until_the_test_ends(
    settings: Settings, echo: EchoServer
) -> None:
    request = data_request(echo.url, "unique", 2, executor="constant-vus", vus=4, duration="2s")
    summaries = await run(settings, request)
    assert seen(echo) == Counter(CODES)
    # Each VU rests a second per iteration without a row: a handful, not a spinning loop.
    assert 4 <= exhausted(summaries) <= 4 * 3


async def test_per_iteration_rows_wrap_and_per_vu_rows_follow_the_vu(
    settings: Settings, echo: EchoServer
) -> None:
    await run(
        settings,
        data_request(
            echo.url, "per_iteration", 1, executor="shared-iterations", vus=3, iterations=2 * ROWS
        ),
    )
    assert seen(echo) == Counter(dict.fromkeys(CODES, 2))
    echo.requests.clear()
    await run(
        settings,
        data_request(echo.url, "per_vu", 1, executor="per-vu-iterations", vus=3, iterations=4),
    )
    assert seen(echo) == Counter(dict.fromkeys(CODES[:3], 4))


def test_the_rows_go_beside_the_script_in_its_configmap() -> None:
    """Kubernetes: the data file is a key of the run's ConfigMap, mounted as the script's
    folder, where the script's ``open("./data-4.json")`` finds it; the script holds no row."""
    request = data_request("http://127.0.0.1:9", "unique", 2, vus=2, duration="1s")
    generated = generate_script(request)
    output = K6Output(("-o", "influxdb=http://i:8086/k6"), {})
    options = JobOptions("load", "grafana/k6:2.2.0", {MetricsMode.FAST: output}, 1, True)
    run = run_manifests("k6-x", "x", options, generated.text, {}, parallelism=2,
                        files=generated.files)  # fmt: skip
    assert run.configmap is not None
    assert sorted(run.configmap["data"]) == ["data-4.json", "script.js"]
    assert json.loads(run.configmap["data"]["data-4.json"])["rows"][3] == [CODES[3], 3]
    assert run.script_path.rsplit("/", 1)[0] == "/scripts"
    assert all(code not in generated.text for code in CODES)
    assert 'dataFile("data-4.json")' in generated.text
