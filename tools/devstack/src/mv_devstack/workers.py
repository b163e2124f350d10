"""Parallel test workers (pytest-xdist, ``pytest -n N``): each worker gets a stack of its own
(folder and server ports) and its own share of the scratch ports tests pick, so two workers never
meet on a port, a database or a NATS stream."""

from __future__ import annotations

import os
from pathlib import Path

from .config import StackConfig
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
    """The first ``count`` free ports in [start, stop) of this worker's share: worker k of n
    takes the ports p with p % n == k % n, so two workers scanning at once never pick the same."""
    index, workers = worker()
    first = start + (index - start) % workers
    found: list[int] = []
    for port in range(first, stop, workers):
        if port_is_free(host, port):
            found.append(port)
            if len(found) == count:
                return found
    raise StackError(f"fewer than {count} free ports in {start}-{stop} on {host}")


def free_port(host: str, start: int, stop: int) -> int:
    return free_ports(host, start, stop)[0]
