"""Deleting a project whose test runs cancels that test first: the cancel command reaches
JetStream (the test-runner then stops k6), though the test's rows are gone. Before, k6 kept
running to its end, the job vanished from /scheduler/jobs and cancel answered 404. The real
gateway server on both backends, real NATS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway_tests.conftest import BACKENDS, database_url
from gateway_tests.edges.test_commit_before_answer import _endpoint
from gateway_tests.runs.test_load_testing_api import command_for, commands
from gateway_tests.served_gateway import serve_gateway, signed_in
from mv_devstack.config import StackConfig
from mv_devstack.servers import PostgreSQL

__all__ = ["commands"]  # fixture


@pytest.mark.parametrize("backend", BACKENDS)
async def test_deleting_a_project_cancels_its_running_tests(
    backend: str,
    stack: StackConfig,
    postgres: PostgreSQL,
    tmp_path: Path,
    commands: list[dict[str, Any]],
) -> None:
    url = database_url(backend, "mv_delete_test", stack, postgres, tmp_path)
    async with serve_gateway(stack, url) as (base, app):
        endpoint_id = await _endpoint(url)
        async with signed_in(base, timeout=10) as http:
            body = {
                "title": "long",
                "scenarios": [
                    {"name": "a", "endpoint_id": endpoint_id, "vus": 1, "duration": "10m"}
                ],
            }
            started = (await http.post("/load-testing", json=body)).json()
            project_id = (await http.get(f"/test-history/{started['test_history_id']}/details")
                          ).json()["project_id"]  # fmt: skip
            assert (await http.delete(f"/project/{project_id}")).status_code == 204
            cancel = await command_for(commands, started["test_id"], "test.cancel.requested")
            assert cancel["payload"]["reason"] == "its project was deleted"
            assert (await http.get(f"/project/{project_id}")).status_code == 404
            assert (await http.get("/scheduler/jobs")).json() == []
            assert await app.state.outbox.pending() == 0
