"""Servers of a test's or a benchmark's own, beside the stack's: a NATS server for each metrics
receiver, one receiver per NATS server as deployed (a second receiver on the same server would
share its durable consumer and write the other's pushes to its own InfluxDB), with a stream no
other test touches."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .config import StackConfig
from .servers import NatsServer
from .workers import free_ports


@contextmanager
def own_nats(stack: StackConfig, folder: Path) -> Iterator[StackConfig]:
    """The stack's config with a NATS server (JetStream in ``folder``) of its own, running."""
    nats, monitor = free_ports(stack.host, 29300, 30000, 2)
    own = stack.model_copy(update={"dir": folder, "nats_port": nats, "nats_monitor_port": monitor})
    server = NatsServer(own)
    server.start()
    try:
        yield own
    finally:
        server.process.stop()
