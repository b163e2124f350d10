"""A team's own k6 script of several files (a module, a data file, its own ``handleSummary``)
uploaded through the gateway and run as a real Job on the cluster: the stored figures count
exactly the requests the demo API served, and k6's own count reached the test-runner from the
pod's log (the summary export the Job's k6 writes to its standard output)."""

from __future__ import annotations

import asyncio
import base64
import json

import httpx
import pytest

from mv_runtime.scriptfiles import pack
from mv_test_runner.executors.kubernetes import KubernetesExecutor
from mv_test_runner.settings import Settings

from .conftest import NAMESPACE, Cluster
from .runs import DEMO, demo_calls, inventory_endpoint, summary

pytestmark = pytest.mark.cluster

ITERATIONS = 12
MAIN = f"""\
import http from "k6/http";
import {{ inventoryPath }} from "./lib/paths.js";

const who = JSON.parse(open("./data/who.json"));

export const options = {{
  scenarios: {{
    stock: {{ executor: "shared-iterations", vus: 2, iterations: {ITERATIONS}, exec: "stock" }},
  }},
  thresholds: {{ "http_reqs{{scenario:stock}}": ["count>=0"] }},
}};

export function stock() {{
  http.get(`${{__ENV.BASE_URL}}${{inventoryPath}}?who=${{who[0]}}`);
}}

export function handleSummary(data) {{
  return {{ stdout: "own summary: " + data.metrics.http_reqs.values.count + "\\n" }};
}}
"""
FILES = {
    "main.js": MAIN.encode(),
    "lib/paths.js": b'export const inventoryPath = "/inventory";\n',
    "data/who.json": json.dumps(["cluster"]).encode(),
}


def test_an_own_script_of_several_files_runs_as_a_job(
    cluster: Cluster, gateway: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_id, _ = inventory_endpoint(gateway)
    uploaded = gateway.post(
        f"/project/{project_id}/scripts/cluster-own",
        content=base64.b64decode(pack(FILES)),
        headers={"Content-Type": "application/gzip"},
        params={"entry": "main.js"},
    )
    assert uploaded.status_code == 201, uploaded.text
    before, _ = demo_calls(cluster)
    created = gateway.post(
        "/load-testing/own-script",
        json={"script_id": uploaded.json()["id"], "base_url": DEMO, "title": "cluster own script"},
    )
    assert created.status_code == 202, created.text
    details = summary(gateway, int(created.json()["test_history_id"]))
    after, asked = demo_calls(cluster)
    served = after - before - asked
    assert details["figures"]["total_requests"] == served == ITERATIONS, details["figures"]
    assert details["complete"] is True, details["incomplete_reason"]
    # k6's own count, read from the ended pod's log as the test-runner reads it.
    monkeypatch.setenv("KUBECONFIG", str(cluster.directory / "kubeconfig"))
    executor = KubernetesExecutor(Settings(kubernetes_namespace=NAMESPACE))
    counts = asyncio.run(executor.counts(details["test_id"]))
    assert counts is not None
    assert (counts.overall.requests, counts.scenarios["stock"].requests) == (served, served)
