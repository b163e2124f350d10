"""k6's native histograms, merged from compact points, and the figures read from them (no I/O).

A compact point's ``duration_hist`` (:mod:`.schema`) holds one interval's bucket counts:
``"<schema> z:<zero count> <index>:<count> ..."``; bucket ``i`` at schema ``s`` holds response
times in ``(2**((i-1)/2**s), 2**(i/2**s)]`` seconds. Histograms merge exactly by adding counts,
so a group's (a scenario's, a test's, a chart step's) histogram is the sum of its points'.

A value read from a histogram is the geometric middle of the bucket holding it: within a factor
``2**(1/2**(s+1))`` of the true value (``mv_contracts.metrics.HISTOGRAM_ERROR_BOUND`` at k6's
schema 3). A percentile is read as k6 computes it from samples -- linear interpolation between
the values at the 0-based ranks ``floor(i)`` and ``ceil(i)``, ``i = p/100 * (n - 1)`` -- with
each of the two values read from its bucket: a positive blend of two values each within the
bound is within the bound of the blend of the true values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

MS_PER_SECOND = 1000.0


def _downscaled(index: int, by: int) -> int:
    """The bucket at ``schema - by`` holding bucket ``index``: ``ceil(index / 2**by)``."""
    return -((-index) >> by)


@dataclass(slots=True)
class Histogram:
    """Bucket counts at one schema (the smallest of the histograms added); values in ms."""

    schema: int | None = None
    zero: int = 0
    buckets: dict[int, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return self.zero + sum(self.buckets.values())

    def add_text(self, text: str) -> None:
        """Add one ``duration_hist`` field (the summary's hot loop: a field per point)."""
        schema, zero, *cells = text.split(" ")
        if self.schema is None or int(schema) != self.schema:
            self.add(parse(text))
            return
        self.zero += int(zero[2:])
        buckets = self.buckets
        for cell in cells:
            index_text, _, count = cell.partition(":")
            index = int(index_text)
            buckets[index] = buckets.get(index, 0) + int(count)

    def add(self, other: Histogram) -> None:
        if other.schema is None:
            self.zero += other.zero
            return
        if self.schema is None:
            self.schema = other.schema
        elif other.schema < self.schema:
            self._rescale(other.schema)
        by = other.schema - self.schema
        for index, count in other.buckets.items():
            key = _downscaled(index, by) if by else index
            self.buckets[key] = self.buckets.get(key, 0) + count
        self.zero += other.zero

    def _rescale(self, schema: int) -> None:
        assert self.schema is not None
        by = self.schema - schema
        rescaled: dict[int, int] = {}
        for index, count in self.buckets.items():
            key = _downscaled(index, by)
            rescaled[key] = rescaled.get(key, 0) + count
        self.schema, self.buckets = schema, rescaled

    def middle(self, index: int) -> float:
        """The geometric middle of bucket ``index``, ms."""
        assert self.schema is not None
        return float(2 ** ((index - 0.5) / 2**self.schema) * MS_PER_SECOND)

    def _sorted(self) -> list[tuple[float, int]]:
        cells = [(self.middle(i), n) for i, n in sorted(self.buckets.items()) if n > 0]
        return ([(0.0, self.zero)] if self.zero else []) + cells

    def percentiles(self, wanted: tuple[int, ...]) -> dict[int, float | None]:
        """k6's percentiles ``wanted`` (0-100), ms; ``None`` each on an empty histogram."""
        n = self.count
        if n == 0:
            return dict.fromkeys(wanted)
        cells = self._sorted()
        ranks: dict[int, float] = {}
        for p in wanted:
            i = p / 100 * (n - 1)
            ranks[math.floor(i)] = ranks[math.ceil(i)] = 0.0
        # One walk over the buckets, the ranks in order: the value at each rank.
        pending = sorted(ranks)
        seen, k = 0, 0
        for value, count in cells:
            seen += count
            while k < len(pending) and pending[k] < seen:
                ranks[pending[k]] = value
                k += 1
        values: dict[int, float | None] = {}
        for p in wanted:
            i = p / 100 * (n - 1)
            low, high = ranks[math.floor(i)], ranks[math.ceil(i)]
            values[p] = low + (high - low) * (i - math.floor(i))
        return values

    def extremes(self) -> tuple[float | None, float | None]:
        """(min, max), ms: the middles of the lowest and highest non-empty buckets."""
        cells = self._sorted()
        if not cells:
            return None, None
        return cells[0][0], cells[-1][0]


def parse(text: str) -> Histogram:
    """A ``duration_hist`` field as a histogram."""
    schema, zero, *cells = text.split(" ")
    buckets: dict[int, int] = {}
    for cell in cells:
        index, _, count = cell.partition(":")
        buckets[int(index)] = int(count)
    return Histogram(int(schema), int(zero.removeprefix("z:")), buckets)


def merged(texts: list[str]) -> Histogram:
    histogram = Histogram()
    for text in texts:
        histogram.add_text(text)
    return histogram
