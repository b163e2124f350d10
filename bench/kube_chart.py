"""What the Kubernetes tests cost: kube-apiserver start (cold data folder and warm restart),
helm lint, helm template, and the chart's server-side dry run against that API server.

    uv run --no-sync python bench/kube_chart.py [--rounds 3]

The API server runs from a scratch folder on free ports and is stopped at the end. Figures
(2026-11-22, kube-apiserver v1.36.4 + etcd 3.4 from Debian, helm v3.22.0, 2 shared cores at load
average 6-7), medians of 3 rounds:

    start, fresh data folder (certificates, etcd, /readyz)   7.4 s    restart   7.3 s
    helm lint --strict                                        0.47 s   helm template   0.49 s
    server-side dry run of the whole rendered chart           0.23 s   (discovery before it: once)

In the test suite the start is paid once per session (6.5 s idle, 14 s with other suites running).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from kubernetes import client, config

from mv_devstack.config import REPO_ROOT
from mv_devstack.kube import KubeApiServer

sys.path.insert(0, str(REPO_ROOT))
from tests.kube.chart import CHART, apply, helm, template


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    folder = Path(tempfile.mkdtemp(prefix="mv-kube-bench-"))
    server = KubeApiServer(folder)
    figures: dict[str, list[float]] = {}

    def note(name: str, seconds: float) -> None:
        figures.setdefault(name, []).append(seconds)

    try:
        note("start, fresh data folder", timed(server.start))
        api = config.new_client_from_config(config_file=str(server.kubeconfig))  # type: ignore[no-untyped-call]
        for _ in range(rounds):
            note("helm lint --strict", timed(lambda: helm("lint", "--strict", str(CHART))))
            note("helm template", timed(lambda: template("bench")))
            namespace = f"bench-{uuid.uuid4().hex[:8]}"
            core: object = client.CoreV1Api(api)
            core.create_namespace({"metadata": {"name": namespace}})  # type: ignore[attr-defined]
            same = f"testNamespace.name={namespace},testNamespace.create=false"
            docs = template(namespace, "--set", same)
            began = time.perf_counter()
            apply(api, docs, namespace, dry_run=True)
            note("dry run of the chart", time.perf_counter() - began)
        for _ in range(rounds - 1):
            server.stop()
            note("restart", timed(server.start))
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    for name, values in figures.items():
        print(f"{name:28} median {statistics.median(values):6.2f} s  ({len(values)} runs)")


if __name__ == "__main__":
    main()
