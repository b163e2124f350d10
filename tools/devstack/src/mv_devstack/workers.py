"""Parallel test workers (pytest-xdist, ``pytest -n N``): each worker gets a stack of its own
(folder and server ports) and its own share of the scratch ports tests pick, so two workers never
meet on a port, a database or a NATS stream."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .config import StackConfig, cache_dir
from .processes import StackError, port_is_free

# The stack's ports a worker moves by 100 per worker number. Every default differs from every
# other modulo 100, so no worker's port is another worker's.
STACK_PORTS = (
    "nats_port",
    "nats_monitor_port",
    "influxdb_port",
    "influxdb_rpc_port",
    "postgres_port",
    "gateway_port",
    "receiver_port",
    "demo_port",
)


def worker() -> tuple[int, int]:
    """This process's worker number and the number of workers: (0, 1) outside a parallel run."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return (int(name.removeprefix("gw")) if name else 0, count)


def own_folder(folder: Path) -> Path:
    """``folder`` for worker 0, ``folder-gwN`` for worker N."""
    index, _ = worker()
    return folder if index == 0 else folder.with_name(f"{folder.name}-gw{index}")


def isolate_stack() -> bool:
    """Point this worker's ``StackConfig`` at a folder and ports of its own (``MV_`` variables),
    derived from the ones it was given. Worker 0 keeps them. True when they were moved."""
    index, _ = worker()
    if index == 0:
        return False
    given = StackConfig()
    os.environ["MV_DIR"] = str(own_folder(given.dir))
    for name in STACK_PORTS:
        os.environ[f"MV_{name.upper()}"] = str(getattr(given, name) + 100 * index)
    return True


def free_ports(host: str, start: int, stop: int, count: int = 1) -> list[int]:
    """The first ``count`` free ports in [start, stop) of this worker's share, so two workers
    scanning at once never pick the same: worker k of n takes the ports p with
    p % (n + 1) == k. The last share is for the workers xdist starts in place of crashed ones
    (gwN with N >= n), which would otherwise scan a live worker's share."""
    index, workers = worker()
    shares = workers + 1
    first = start + (min(index, shares - 1) - start) % shares
    found: list[int] = []
    for port in range(first, stop, shares):
        if port_is_free(host, port):
            found.append(port)
            if len(found) == count:
                return found
    raise StackError(f"fewer than {count} free ports in {start}-{stop} on {host}")


def free_port(host: str, start: int, stop: int) -> int:
    return free_ports(host, start, stop)[0]


# Slowest first: a parallel run ends when its longest test file does, so the files that took
# longest last time start first (``pytest -n N --dist loadfile --no-loadscope-reorder`` keeps
# the order). The times are kept beside the builds, outside the clone, so a fresh clone of a
# warm machine has them; without them, files marked slow go first.
DURATIONS_FILE = "test-durations.json"
SLOW_GUESS_SECONDS = 60.0


def durations_path() -> Path:
    return cache_dir() / DURATIONS_FILE


def last_durations() -> dict[str, float]:
    try:
        found = json.loads(durations_path().read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in found.items()} if isinstance(found, dict) else {}


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def slowest_first(nodeids: list[str], marked_slow: set[str], last: dict[str, float]) -> list[int]:
    """The order (indexes into ``nodeids``) that starts the slowest files first (by ``last``,
    seconds per file) and keeps each file's tests together and in their own order."""

    def expected(nodeid: str) -> float:
        name = file_of(nodeid)
        return last.get(name, SLOW_GUESS_SECONDS if name in marked_slow else 0.0)

    first_seen: dict[str, int] = {}
    for index, nodeid in enumerate(nodeids):
        first_seen.setdefault(file_of(nodeid), index)
    return sorted(
        range(len(nodeids)),
        key=lambda i: (-expected(nodeids[i]), first_seen[file_of(nodeids[i])], i),
    )


def record_durations(seconds_by_file: dict[str, float]) -> None:
    """Keep this run's time per file for the next run's order (the files it did not run keep
    their last time)."""
    if not seconds_by_file:
        return
    merged = {**last_durations(), **{k: round(v, 2) for k, v in seconds_by_file.items()}}
    path = durations_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(f".{os.getpid()}.tmp")
    scratch.write_text(json.dumps(merged, indent=0, sort_keys=True))
    scratch.replace(path)
