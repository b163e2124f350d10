"""A test's start and end on the cluster and on the local stack, side by side: from
``POST /load-testing`` to the first live figure with requests, from the runner's end event to the
stored summary, and the whole run (POST to summary) less the load's own duration, which is what
the platform adds around it. The same test both places: the demo API's GET /inventory, one k6
runner, the fast metrics mode, against the demo API each place runs (the local stack's on
loopback; the cluster's Service in its test namespace, k6 in a Job's pod).

Needs both up: ``python -m mv_devstack up`` and ``make cluster`` (root):

    uv run --no-sync python -m bench.cluster_local [--rounds 3] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass

import httpx

from bench.start_end import follow
from mv_devstack.config import REPO_ROOT, StackConfig

CLUSTER = REPO_ROOT / ".stack" / "cluster"
CLUSTER_TEST_NAMESPACE = "metric-vault-tests"
CLUSTER_DEMO = f"http://demo-api.{CLUSTER_TEST_NAMESPACE}.svc.cluster.local:8080"
STEPS = [
    ("POST -> first live figure", "post", "live"),
    ("end event -> summary stored", "end", "summary"),
    ("POST -> summary stored, less the load", "post", "summary less the load"),
]


@dataclass(frozen=True)
class Place:
    name: str
    gateway_url: str
    headers: dict[str, str]
    demo_url: str


def places() -> list[Place]:
    local = StackConfig()
    if not local.admin_token_file.exists():
        sys.exit("no local stack: python -m mv_devstack up")
    if not (CLUSTER / "gateway-url").is_file():
        sys.exit("no cluster: make cluster")
    token = (CLUSTER / "admin-token").read_text().strip()
    return [
        Place("local", local.gateway_url, local.admin_headers(), local.demo_url),
        Place(
            "cluster",
            (CLUSTER / "gateway-url").read_text().strip(),
            {"Authorization": f"Bearer {token}"},
            CLUSTER_DEMO,
        ),
    ]


async def inventory(http: httpx.AsyncClient, place: Place) -> tuple[int, int]:
    """A project of the bench and the demo's GET /inventory, its document analysed there."""
    project = (await http.post("/project", json={"title": "bench cluster and local"})).json()
    document = {"project_id": project["id"], "openapi_url": f"{place.demo_url}/openapi.json"}
    answer = await http.post("/openapi/analyze", params={"wait": "true", "timeout": 120},
                             json=document)  # fmt: skip
    answer.raise_for_status()
    endpoints = (await http.get("/endpoint", params={"spec_id": answer.json()["spec_id"]})).json()
    return int(project["id"]), next(e["id"] for e in endpoints if e["path"] == "/inventory")


async def one_run(
    http: httpx.AsyncClient, place: Place, ids: tuple[int, int], seconds: int
) -> dict[str, float]:
    streamed: dict[str, dict[str, float]] = {}
    ready, ours = asyncio.Event(), list[str]()
    following = asyncio.create_task(
        follow((place.gateway_url, place.headers), streamed, ready, ours)
    )
    await asyncio.wait_for(ready.wait(), 30)
    await asyncio.sleep(0.2)
    body = {
        "title": f"bench on the {place.name} stack", "project_id": ids[0],
        "base_url": place.demo_url, "metrics_mode": "fast",
        "scenarios": [{"name": "inventory", "endpoint_id": ids[1], "executor": "constant-vus",
                       "vus": 4, "duration": f"{seconds}s", "think_time": 0.01}],
    }  # fmt: skip
    posted = time.time()
    created = (await http.post("/load-testing", json=body)).raise_for_status().json()
    ours.append(created["test_id"])
    await asyncio.wait_for(following, 300)
    seen = {"post": posted, **streamed[created["test_id"]]}
    seen["summary less the load"] = seen["summary"] - seconds
    return seen


async def run_all(rounds: int, seconds: int) -> dict[str, list[dict[str, float]]]:
    runs: dict[str, list[dict[str, float]]] = {}
    for place in places():
        async with httpx.AsyncClient(
            base_url=place.gateway_url, headers=place.headers, timeout=120
        ) as http:
            ids = await inventory(http, place)
            runs[place.name] = [await one_run(http, place, ids, seconds) for _ in range(rounds)]
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    runs = asyncio.run(run_all(args.rounds, args.seconds))
    print(f"4 VUs x {args.seconds}s, one runner, fast mode; seconds, median of {args.rounds} runs")
    print(f"{'step':<42}" + "".join(f"{name:>10}" for name in runs))
    for label, start, end in STEPS:
        cells = [statistics.median(r[end] - r[start] for r in rs) for rs in runs.values()]
        print(f"{label:<42}" + "".join(f"{c:>10.2f}" for c in cells))


if __name__ == "__main__":
    main()
