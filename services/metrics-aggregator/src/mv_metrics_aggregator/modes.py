"""The metrics modes as one interface, chosen once per test from its ``MetricsMode``.

Each mode stores a test's metrics its own way (precise: every sample, :mod:`.precise`; fast:
the receiver's compact points, :mod:`.fast`) and reads them with the same three operations, so
the summary, the wait for k6's count and the live loop never ask which mode a test is in.
"""

from __future__ import annotations

from typing import Protocol

from mv_contracts.lifecycle import K6Counts
from mv_contracts.metrics import LiveSnapshot, TestSummary
from mv_contracts.runs import MetricsMode

from .aggregate import LiveRead, Window
from .definitions import Bounds
from .fast import FAST
from .influx import InfluxClient
from .precise import PRECISE


class MetricsPath(Protocol):
    """How one metrics mode reads a test back from InfluxDB."""

    @property
    def mode(self) -> MetricsMode: ...

    async def summarise(
        self, client: InfluxClient, test_id: str, window: Window, k6: K6Counts | None = None
    ) -> TestSummary:
        """The summary of the test's metrics in ``window`` (``[start, end)``), with k6's own
        counts (None when k6 gave none); empty, and why, when there are none."""
        ...

    async def stored_requests(self, client: InfluxClient, bounds: Bounds) -> dict[str, int]:
        """Requests stored in ``bounds``: overall under ``OVERALL``, and per scenario."""
        ...

    async def live_snapshot(self, client: InfluxClient, read: LiveRead) -> LiveSnapshot:
        """Totals since the start of ``read`` and the figures of its window."""
        ...


def path_of(mode: MetricsMode | None) -> MetricsPath:
    """The path of a test's metrics; a test of an older runner (no mode) wrote every sample."""
    return FAST if mode is MetricsMode.FAST else PRECISE
