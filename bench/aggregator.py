"""How long a summary and a live snapshot take as a test grows: 10^5, 10^6 (, 10^7) requests.

Writes k6-shaped samples (three points per request: http_reqs, http_req_duration,
http_req_failed, plus the vus gauge) with line protocol into a scratch InfluxDB database, then
times ``summarise`` and ``live_snapshot`` (5 s window) on it: the first snapshot of a loop, which
counts the whole run so far, and a steady one, which adds only the last 30 s to kept totals.

    uv run --no-sync python bench/aggregator.py                 # 10^5 and 10^6
    uv run --no-sync python bench/aggregator.py 1e5 1e6 1e7     # 10^7: minutes of writing
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from itertools import islice

from mv_devstack.config import StackConfig
from mv_metrics_aggregator.aggregate import LiveRead, LiveTotals
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.lineprotocol import SyntheticRun
from mv_metrics_aggregator.precise import PRECISE

DATABASE = "mv_bench_aggregator"
BATCH_LINES = 100_000
WRITERS = 2
RATE = 1000  # requests per second of the synthetic test
REPEATS = 3


async def write(client: InfluxClient, run: SyntheticRun) -> float:
    """Write the run's points with a few concurrent writers; seconds taken."""
    started = time.perf_counter()
    lines = run.lines()
    queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=WRITERS * 2)

    async def writer() -> None:
        while (batch := await queue.get()) is not None:
            await client.write(batch)

    tasks = [asyncio.create_task(writer()) for _ in range(WRITERS)]
    while batch := list(islice(lines, BATCH_LINES)):
        await queue.put("\n".join(batch))
    for _ in tasks:
        await queue.put(None)
    await asyncio.gather(*tasks)
    return time.perf_counter() - started


async def best_of(repeats: int, action: Callable[[], Awaitable[object]]) -> float:
    """The shortest of ``repeats`` runs of ``action``, in seconds: the least disturbed one."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    return min(times)


async def measure(client: InfluxClient, requests: int) -> tuple[float, float, float, float]:
    seconds = requests / RATE
    start = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=requests.bit_length())
    run = SyntheticRun(str(uuid.uuid4()), int(start.timestamp() * 1e9), requests, seconds)
    written = await write(client, run)
    end = start + timedelta(seconds=seconds)
    window_start, window_end = start - timedelta(minutes=1), end + timedelta(minutes=1)
    summary = await PRECISE.summarise(client, run.test_id, (window_start, window_end))
    if summary.overall.total_requests != requests:
        raise RuntimeError(f"wrote {requests} requests, InfluxDB counts {summary.overall}")
    repeats = REPEATS if requests <= 1_000_000 else 1
    summary_time = await best_of(
        repeats, lambda: PRECISE.summarise(client, run.test_id, (window_start, window_end))
    )
    window = timedelta(seconds=5)
    first_live = await best_of(
        repeats, lambda: PRECISE.live_snapshot(client, LiveRead(run.test_id, start, end, window))
    )
    totals = LiveTotals(int(start.timestamp() * 1e9))
    await PRECISE.live_snapshot(client, LiveRead(run.test_id, start, end - window, window, totals))
    steady_live = await best_of(
        repeats,
        lambda: PRECISE.live_snapshot(
            client, LiveRead(run.test_id, start, end, window, copy.deepcopy(totals))
        ),
    )
    return written, summary_time, first_live, steady_live


async def main(sizes: list[int]) -> None:
    config = StackConfig()
    client = InfluxClient(config.influxdb_url, DATABASE, timeout=600)
    await client.execute(f"DROP DATABASE {DATABASE}")
    await client.execute(f"CREATE DATABASE {DATABASE}")
    print(f"InfluxDB {config.influxdb_url}, database {DATABASE}; 3 points per request, {RATE}/s")
    print(
        f"{'requests':>10} {'points':>10} {'write s':>8} {'summary s':>10} "
        f"{'live 1st s':>10} {'live s':>7}  growth"
    )
    previous: tuple[int, float, float, float] | None = None
    try:
        for requests in sizes:
            written, summary_time, first_live, live_time = await measure(client, requests)
            growth = ""
            if previous:
                ratios = (summary_time / previous[1], first_live / previous[2])
                growth = (
                    f"x{requests / previous[0]:g} samples: summary x{ratios[0]:.1f}, "
                    f"live 1st x{ratios[1]:.1f}, live x{live_time / previous[3]:.1f}"
                )
            print(
                f"{requests:>10,} {3 * requests:>10,} {written:>8.1f} {summary_time:>10.3f} "
                f"{first_live:>10.3f} {live_time:>7.3f}  {growth}",
                flush=True,
            )
            previous = (requests, summary_time, first_live, live_time)
    finally:
        await client.execute(f"DROP DATABASE {DATABASE}")
        await client.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("sizes", nargs="*", type=float, default=[1e5, 1e6])
    args = parser.parse_args()
    asyncio.run(main([int(size) for size in args.sizes]))
