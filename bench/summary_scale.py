"""How long a summary and a live snapshot take in each metrics mode as a test grows.

One run, side by side, into a scratch database of the local stack's InfluxDB:

- precise (every sample, today's path, the reference): k6-shaped samples, three points per
  request (``lineprotocol.SyntheticRun``, 1,000 requests/s), 10^5 and 10^6 requests;
- fast (the receiver's compact points, ``lineprotocol.SyntheticCompactRun``: a point a second
  per runner and scenario with its native histogram, four scenarios): 10^6 and 10^7 requests
  over the same 1,000 s (so only the rate differs), 10^7 over 2,000 s (only the duration), and
  an hour at 10k/s (3.6 x 10^7) split over 4 runners.

Timed: each mode's ``summarise`` (best of 3; 1 for the precise 10^6), and the live snapshot
at the test's end (5 s window): the first of a loop (it counts the whole run so far)
and a steady one (kept totals: it adds only the last 30 s).

    uv run --no-sync python bench/summary_scale.py [--no-precise-1e6]

Goals: a 10^7-request test's summary <= 5 s, its cost growing with the test's
duration, not its requests; a live snapshot <= 50 ms at any length.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from bench.aggregator import best_of
from mv_contracts.metrics import TestSummary
from mv_devstack.config import StackConfig
from mv_metrics_aggregator.aggregate import LiveRead, LiveTotals
from mv_metrics_aggregator.fast import FAST
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.lineprotocol import SyntheticCompactRun, SyntheticRun
from mv_metrics_aggregator.precise import PRECISE

DATABASE = "mv_bench_summary_scale"
BATCH_LINES = 50_000
WRITERS = 2
RAW_RATE = 1000
WINDOW = timedelta(seconds=5)


@dataclass(slots=True)
class Row:
    mode: str
    requests: int
    seconds: int
    points: int
    write_s: float
    summary_s: float
    live_first_ms: float
    live_ms: float


async def write(client: InfluxClient, lines: Iterator[str]) -> tuple[float, int]:
    """Write the lines with a few concurrent writers: seconds taken, lines written."""
    started = time.perf_counter()
    queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=WRITERS * 2)
    written = 0

    async def writer() -> None:
        while (batch := await queue.get()) is not None:
            await client.write(batch)

    tasks = [asyncio.create_task(writer()) for _ in range(WRITERS)]
    while batch := list(islice(lines, BATCH_LINES)):
        written += len(batch)
        await queue.put("\n".join(batch))
    for _ in tasks:
        await queue.put(None)
    await asyncio.gather(*tasks)
    return time.perf_counter() - started, written


def _start(offset_days: int) -> datetime:
    # Each test on days of its own: no two share a shard or a time range.
    return datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=30 * offset_days)


async def measure(
    client: InfluxClient, mode: str, requests: int, seconds: int, slot: int, runners: int = 1
) -> Row:
    start = _start(slot)
    start_ns, test_id = int(start.timestamp() * 1e9), str(uuid.uuid4())
    end = start + timedelta(seconds=seconds + 1)
    window = (start - timedelta(minutes=1), end + timedelta(minutes=1))
    summary: Callable[[], Awaitable[TestSummary]]
    if mode == "precise":
        written, points = await write(
            client, SyntheticRun(test_id, start_ns, requests, seconds).lines()
        )
        summary = lambda: PRECISE.summarise(client, test_id, window)  # noqa: E731
        live = PRECISE.live_snapshot
    else:
        run = SyntheticCompactRun(
            test_id, start_ns, seconds, rate=requests // seconds, runners=runners
        )
        requests = run.requests
        written, points = await write(client, run.lines())
        summary = lambda: FAST.summarise(client, test_id, window, None)  # noqa: E731
        live = FAST.live_snapshot
    first = await summary()
    if first.overall.total_requests != requests:
        raise RuntimeError(f"wrote {requests} requests, the summary counts {first.overall}")
    summary_s = await best_of(1 if mode == "precise" and requests >= 10**6 else 3, summary)
    live_first = await best_of(3, lambda: live(client, LiveRead(test_id, start, end, WINDOW)))
    totals = LiveTotals(start_ns)
    await live(client, LiveRead(test_id, start, end - WINDOW, WINDOW, totals))
    live_steady = await best_of(
        5, lambda: live(client, LiveRead(test_id, start, end, WINDOW, copy.deepcopy(totals)))
    )
    return Row(
        mode, requests, seconds, points, written, summary_s, live_first * 1e3, live_steady * 1e3
    )


async def main(precise_million: bool) -> None:
    config = StackConfig()
    client = InfluxClient(config.influxdb_url, DATABASE, timeout=900)
    await client.execute(f"DROP DATABASE {DATABASE}")
    await client.execute(f"CREATE DATABASE {DATABASE}")
    cases: list[tuple[str, int, int, int]] = [
        ("precise", 10**5, 10**5 // RAW_RATE, 1),
        ("fast", 10**6, 1000, 1),
        ("fast", 10**7, 1000, 1),
        ("fast", 10**7, 2000, 1),
        ("fast", 36 * 10**6, 3600, 4),
    ]
    if precise_million:
        cases.insert(1, ("precise", 10**6, 10**6 // RAW_RATE, 1))
    print(f"InfluxDB {config.influxdb_url}, database {DATABASE}")
    print(
        f"{'mode':>7} {'requests':>11} {'seconds':>7} {'runners':>7} {'points':>9} "
        f"{'write s':>8} {'summary s':>9} {'live 1st ms':>11} {'live ms':>8}"
    )
    rows: list[Row] = []
    try:
        for slot, (mode, requests, seconds, runners) in enumerate(cases):
            row = await measure(client, mode, requests, seconds, slot, runners)
            rows.append(row)
            print(
                f"{row.mode:>7} {row.requests:>11,} {row.seconds:>7} {runners:>7} "
                f"{row.points:>9,} {row.write_s:>8.1f} {row.summary_s:>9.3f} "
                f"{row.live_first_ms:>11.1f} {row.live_ms:>8.1f}",
                flush=True,
            )
    finally:
        await client.execute(f"DROP DATABASE {DATABASE}")
        await client.aclose()
    ratios(rows)


def ratios(rows: list[Row]) -> None:
    def find(mode: str, requests: int, seconds: int) -> Row | None:
        return next(
            (r for r in rows if (r.mode, r.requests, r.seconds) == (mode, requests, seconds)), None
        )

    fast7 = find("fast", 10**7, 1000)
    fast6 = find("fast", 10**6, 1000)
    fast7_long = find("fast", 10**7, 2000)
    if fast7 is None or fast6 is None or fast7_long is None:
        return
    print(f"\nfast 10^7 summary {fast7.summary_s:.3f} s (goal <= 5 s), steady live "
          f"{fast7.live_ms:.1f} ms (goal <= 50 ms)")  # fmt: skip
    growth = fast7.summary_s / fast6.summary_s
    print(f"same 1,000 s, x10 requests (10^6 -> 10^7): summary x{growth:.2f}")
    print(f"same 10^7 requests, x2 duration (1,000 -> 2,000 s): summary "
          f"x{fast7_long.summary_s / fast7.summary_s:.2f}")  # fmt: skip
    for size in (10**5, 10**6):
        precise = find("precise", size, size // RAW_RATE)
        if precise:
            print(f"precise {size:.0e} summary {precise.summary_s:.3f} s = "
                  f"x{precise.summary_s / fast7.summary_s:.1f} of fast 10^7; live "
                  f"{precise.live_ms:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--no-precise-1e6", action="store_true", help="skip the slow reference")
    asyncio.run(main(not parser.parse_args().no_precise_1e6))
