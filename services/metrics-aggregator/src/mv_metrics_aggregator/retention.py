"""How long InfluxDB keeps points, and deleting the points of deleted tests.

The aggregator is the service that owns InfluxDB, so at start it makes the database (k6 and
the receiver would make it too, with InfluxDB's default policy) and sets its default retention
policy to ``INFLUXDB_RETENTION_DAYS`` (0: kept for ever). Raw k6 points and the receiver's
compact points are written to that default policy, so one setting governs both; summaries,
series and findings live in the gateway's database and are not touched.

InfluxDB drops whole shard groups once their end is older than the duration (its retention
check runs every ``[retention] check-interval``, 30 minutes by default), so a point lives
between N days and N days plus one shard group; the shard group duration is set as InfluxDB
itself would choose it for that duration (1 h below 2 days, 1 day up to 6 months, else 7 days).
"""

from __future__ import annotations

import asyncio

import structlog

from .influx import InfluxClient, InfluxError

log = structlog.get_logger()
PURGE_BATCH = 50


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def shard_hours(days: int) -> int:
    if days == 0 or days > 183:
        return 7 * 24
    return 1 if days < 2 else 24


def duration(days: int) -> str:
    return "INF" if days == 0 else f"{days}d"


async def default_policy(client: InfluxClient, database: str) -> str | None:
    (result,) = await client.query(f"SHOW RETENTION POLICIES ON {_quoted(database)}")
    rows = [row for series in result for row in series.rows]
    return next((str(row["name"]) for row in rows if row.get("default")), None)


async def apply_retention(client: InfluxClient, database: str, days: int) -> str:
    """Make ``database`` and set its default policy's duration; the policy's name."""
    await client.execute(f"CREATE DATABASE {_quoted(database)}")
    policy = await default_policy(client, database) or "autogen"
    await client.query(
        f"ALTER RETENTION POLICY {_quoted(policy)} ON {_quoted(database)} "
        f"DURATION {duration(days)} SHARD DURATION {shard_hours(days)}h DEFAULT"
    )
    log.info("influxdb retention set", database=database, policy=policy, days=days or "forever")
    return policy


async def keep_trying(client: InfluxClient, database: str, days: int) -> None:
    """:func:`apply_retention` until InfluxDB takes it (it may start after the aggregator)."""
    delay = 1.0
    while True:
        try:
            await apply_retention(client, database, days)
            return
        except InfluxError as error:
            log.warning("influxdb retention not set yet", error=str(error), retry_in=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60)


async def purge_points(client: InfluxClient, test_ids: list[str]) -> None:
    """Delete every point of these tests, in every measurement (k6's raw ones and the
    receiver's compact ones carry the ``testid`` tag alike)."""
    for start in range(0, len(test_ids), PURGE_BATCH):
        batch = test_ids[start : start + PURGE_BATCH]
        where = " OR ".join(f'"testid" = {_literal(test_id)}' for test_id in batch)
        await client.query(f"DROP SERIES WHERE {where}")
    log.info("points of deleted tests dropped", tests=len(test_ids))


async def count_points(client: InfluxClient) -> dict[str, int]:
    """Points per test id still in InfluxDB (within the retention): counted, every field of
    every measurement, so the figure is exact and its query scans what it counts."""
    (result,) = await client.query('SELECT COUNT(*) FROM /.*/ GROUP BY "testid"')
    counts: dict[str, int] = {}
    for series in result:
        test_id = series.tags.get("testid")
        if not test_id:
            continue
        row = series.first()
        counts[test_id] = counts.get(test_id, 0) + max(
            (int(v) for k, v in row.items() if k.startswith("count_") and v), default=0
        )
    return counts
