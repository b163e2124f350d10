"""Load stays at the allowed target: real k6 against a loopback endpoint answering 302 to a second
loopback server. The gateway checked only the base URL, so k6 must not follow the redirect; the
302 answers are counted as failed requests with their status, where the summary shows them."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import pytest

from mv_contracts.lifecycle import RunStatus
from mv_devstack.config import StackConfig
from mv_test_runner.executors.local import LocalExecutor
from mv_test_runner.script import generate_script
from mv_test_runner.settings import Settings

from .echo import EchoServer
from .requests import make_request, scenario
from .test_local_executor import influx


@pytest.fixture
async def elsewhere() -> AsyncIterator[EchoServer]:
    server = EchoServer()
    await server.start()
    yield server
    await server.stop()


async def test_a_redirect_elsewhere_is_not_followed_and_counts_as_failed(
    settings: Settings, echo: EchoServer, elsewhere: EchoServer, stack: StackConfig
) -> None:
    echo.status = 302
    echo.location = f"{elsewhere.url}/stolen"
    test_id = f"redirect-{uuid.uuid4()}"
    request = make_request(
        echo.url,
        # A bounded count: each 302 answers at once, so a timed scenario makes thousands.
        scenario("moved", "shared-iterations", vus=2, iterations=300),
        test_id=test_id,
        metrics_mode="precise",  # every sample in InfluxDB, with its status tag
    )
    executor = LocalExecutor(settings)
    await executor.start(request, generate_script(request))
    outcome = await executor.wait(test_id)
    assert outcome.status is RunStatus.SUCCEEDED, executor.output(test_id)

    sent = len(echo.requests)
    assert sent == 300
    assert elsewhere.requests == []  # before: every iteration also loaded the second server
    summary = json.loads((executor.run_dir(test_id) / "summary.json").read_text())
    assert summary["metrics"]["http_reqs"]["count"] == sent
    assert summary["metrics"]["http_req_failed"]["passes"] == sent  # each 302 failed
    where = f"WHERE testid='{test_id}' AND \"value\" = 1"  # a uuid we made
    by_status = await influx(
        stack,
        f'SELECT count("value") FROM http_req_failed {where} GROUP BY "status"',  # noqa: S608
    )
    # One group, status 302 (read below), every sample: the precise mode's vu_id tag keeps two
    # VUs' samples of one nanosecond apart. k6's log tells of any write it could not make.
    assert len(by_status) == 1, executor.output(test_id)
    assert by_status[0][1] == sent, executor.output(test_id)
    show = 'SHOW TAG VALUES FROM http_req_failed WITH KEY = "status"'
    statuses = await influx(stack, f"{show} WHERE testid='{test_id}'")
    assert [row[1] for row in statuses] == ["302"]
