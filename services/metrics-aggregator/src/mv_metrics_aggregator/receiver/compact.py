"""k6's cumulative remote-write series -> compact per-push points (:mod:`..schema`).

The receiver remembers, per test and series, the last cumulative value it saw, and writes the
difference: so a push k6 failed to deliver is not lost, its requests arrive with the next one.
Only the metrics the platform reads are looked at; the rest (timing phases, data, iterations)
is skipped without building its labels.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from mv_metrics_aggregator.schema import (
    CHECK_LABEL,
    CHECKS_MEASUREMENT,
    CHECKS_RATE_METRIC,
    DROPPED_MEASUREMENT,
    DROPPED_METRIC,
    DURATION_HISTOGRAM_METRIC,
    DURATION_PREFIX,
    ERROR_CODE_LABEL,
    EXPECTED_LABEL,
    FAILED_RATE_METRIC,
    FAILURES_MEASUREMENT,
    NAME_LABEL,
    NO_SCENARIO,
    REQS_METRIC,
    REQUESTS_MEASUREMENT,
    RUNNER_LABEL,
    SCENARIO_LABEL,
    STATUS_LABEL,
    STEP_LABEL,
    TEST_ID_LABEL,
    TIME_SCALE,
    VUS_MAX_METRIC,
    VUS_MEASUREMENT,
    VUS_METRIC,
)

from .remote_write import bucket_counts, histogram_count

IGNORED_LABELS = frozenset({NAME_LABEL, "k6_feature_native_histograms"})
SeriesKey = tuple[tuple[str, str], ...]
# (test id, runner, scenario, step): the tags of a point; runner "" for a test on one runner,
# step "" for a request outside a journey.
GroupKey = tuple[str, str, str, str]
# A group and the failure's (status, error code).
FailureKey = tuple[str, str, str, str, str, str]


@dataclass(slots=True)
class SeriesState:
    """The last cumulative values of one tag set of one test."""

    requests: int = 0
    failed: int = 0
    duration_count: int = 0
    duration_sum: float = 0.0  # seconds, as k6 sends it
    buckets: dict[int, int] = field(default_factory=dict)
    zero: int = 0
    dropped: int = 0


@dataclass(slots=True)
class TestState:
    series: dict[SeriesKey, SeriesState] = field(default_factory=dict)
    last_ms: dict[str, int] = field(default_factory=dict)  # per point series (measurement+tags)
    seen: float = 0.0  # monotonic time of the last push


@dataclass(slots=True)
class Group:
    """What one push adds for one test and scenario."""

    ms: int = 0
    requests: int = 0
    failed: int = 0
    duration_count: int = 0
    duration_sum: float = 0.0  # ms
    duration_min: float | None = None
    duration_max: float | None = None
    duration_p99: float | None = None
    schema: int | None = None
    buckets: dict[int, int] = field(default_factory=dict)
    zero: int = 0


@dataclass(slots=True)
class Stats:
    pushes: int = 0
    series: int = 0
    untagged: int = 0  # series of a k6 run without --tag testid=...
    points: int = 0


def _labels(series: Any) -> dict[str, str]:
    return {label.name: label.value for label in series.labels}


def _key(labels: dict[str, str]) -> SeriesKey:
    return tuple(sorted((k, v) for k, v in labels.items() if k not in IGNORED_LABELS))


def _name(series: Any) -> str:
    for label in series.labels:
        if label.name == NAME_LABEL:
            return str(label.value)
    return ""


def _wanted(name: str) -> bool:
    return name in (
        REQS_METRIC,
        CHECKS_RATE_METRIC,
        FAILED_RATE_METRIC,
        VUS_METRIC,
        VUS_MAX_METRIC,
        DROPPED_METRIC,
    ) or name.startswith(DURATION_PREFIX)


def escape_tag(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def _delta(total: int, last: int) -> int:
    """What a cumulative counter added since ``last``; a smaller total is a new run (a reset)."""
    return total - last if total >= last else total


@dataclass(slots=True)
class Push:
    """What one push adds, per point to write."""

    groups: dict[GroupKey, Group] = field(default_factory=dict)
    failures: dict[FailureKey, int] = field(default_factory=dict)
    dropped: dict[GroupKey, int] = field(default_factory=dict)
    vus: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    checks: dict[tuple[GroupKey, str], tuple[float, int]] = field(default_factory=dict)
    stamps: dict[str, int] = field(default_factory=dict)  # point series -> latest sample ms

    def group(self, key: GroupKey, ms: int) -> Group:
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group()
        group.ms = max(group.ms, ms)
        return group

    def failed(self, key: GroupKey, labels: dict[str, str], added: int, ms: int) -> None:
        if added <= 0:
            return
        self.group(key, ms).failed += added
        kind = (*key, labels.get(STATUS_LABEL, "0") or "0", labels.get(ERROR_CODE_LABEL, ""))
        self.failures[kind] = self.failures.get(kind, 0) + added
        self.stamps[str(kind)] = max(self.stamps.get(str(kind), 0), ms)


class Compactor:
    """Turns decoded ``WriteRequest`` messages into line protocol; one per receiver."""

    def __init__(self, *, state_ttl: float = 3600.0) -> None:
        self.tests: dict[str, TestState] = {}
        self.state_ttl = state_ttl
        self.stats = Stats()
        self._pruned = time.monotonic()

    def lines(self, request: Any) -> list[str]:
        """The line protocol of a decoded ``WriteRequest``."""
        return [line for lines in self.lines_by_test(request).values() for line in lines]

    def lines_by_test(self, request: Any) -> dict[str, list[str]]:
        """The same by test: every test the push touched, with its points (none when only its
        cumulative state moved)."""
        now = time.monotonic()
        self.stats.pushes += 1
        push = Push()
        per_test: dict[str, list[str]] = {}
        rates: dict[tuple[str, SeriesKey], float] = {}
        # requests waiting for the failure rate of their tag set
        late: list[tuple[GroupKey, SeriesKey, dict[str, str], int, int]] = []
        for series in request.timeseries:
            self.stats.series += 1
            name = _name(series)
            if not _wanted(name):
                continue
            if not series.histograms and (
                not series.samples or math.isnan(series.samples[-1].value)
            ):
                continue  # a stale marker (K6_PROMETHEUS_RW_STALE_MARKERS) ends a series: no data
            labels = _labels(series)
            test_id = labels.get(TEST_ID_LABEL)
            if not test_id:
                self.stats.untagged += 1
                continue
            test = self.tests.get(test_id)
            if test is None:
                test = self.tests[test_id] = TestState()
            test.seen = now
            per_test.setdefault(test_id, [])
            key = _key(labels)
            runner = labels.get(RUNNER_LABEL, "")
            ms = max(
                [s.timestamp for s in series.samples] + [h.timestamp for h in series.histograms]
            )
            if name in (VUS_METRIC, VUS_MAX_METRIC):
                values = push.vus.setdefault((test_id, runner), {"ms": 0})
                values[name] = series.samples[-1].value
                values["ms"] = max(values["ms"], ms)
                continue
            if name == FAILED_RATE_METRIC:
                rates[(test_id, key)] = series.samples[-1].value
                continue
            if name == CHECKS_RATE_METRIC:
                check = (
                    test_id,
                    runner,
                    labels.get(SCENARIO_LABEL, ""),
                    labels.get(STEP_LABEL, ""),
                )
                push.checks[(check, labels.get(CHECK_LABEL, ""))] = (series.samples[-1].value, ms)
                continue
            where = (test_id, runner, labels.get(SCENARIO_LABEL, ""), labels.get(STEP_LABEL, ""))
            state = test.series.get(key)
            if state is None:
                state = test.series[key] = SeriesState()
            if name == DROPPED_METRIC:
                total = round(series.samples[-1].value)
                added = _delta(total, state.dropped)
                state.dropped = total
                if added:
                    push.dropped[where] = push.dropped.get(where, 0) + added
                    stamp = f"{DROPPED_MEASUREMENT}{where}"
                    push.stamps[stamp] = max(push.stamps.get(stamp, 0), ms)
                continue
            group = push.group(where, ms)
            if name == REQS_METRIC:
                total = round(series.samples[-1].value)
                added = _delta(total, state.requests)
                state.requests = total
                group.requests += added
                expected = labels.get(EXPECTED_LABEL)
                if expected is not None:
                    if expected == "false":
                        state.failed = total
                        push.failed(where, labels, added, ms)
                else:
                    late.append((where, key, labels, total, ms))
            elif name == DURATION_HISTOGRAM_METRIC:
                for histogram in series.histograms:
                    self._histogram(state, group, histogram)
            else:
                self._stat(state, group, name[len(DURATION_PREFIX) :], series.samples[-1].value)
        for where, key, labels, total, ms in late:
            rate = rates.get((where[0], key))
            if rate is None:
                continue
            state = self.tests[where[0]].series[key]
            failed = round(rate * total)
            push.failed(where, labels, _delta(failed, state.failed), ms)
            state.failed = failed
        self._points(push, per_test)
        self.stats.points += sum(len(lines) for lines in per_test.values())
        if now - self._pruned > 60:
            self.prune(now)
        return per_test

    def _points(self, push: Push, per_test: dict[str, list[str]]) -> None:
        """Each point of ``push`` into its test's list."""
        for where, group in push.groups.items():
            if line := self._point(where, group):
                per_test[where[0]].append(line)
        for kind, count in push.failures.items():
            tags = self._tags(kind[:4]) + f",{STATUS_LABEL}={escape_tag(kind[4])}"
            if kind[5]:
                tags += f",{ERROR_CODE_LABEL}={escape_tag(kind[5])}"
            ms = self._stamp(kind[0], f"{FAILURES_MEASUREMENT},{tags}", push.stamps[str(kind)])
            per_test[kind[0]].append(f"{FAILURES_MEASUREMENT},{tags} failed={count}i {ms}")
        for where, count in push.dropped.items():
            tags = self._tags(where)
            stamp = push.stamps[f"{DROPPED_MEASUREMENT}{where}"]
            ms = self._stamp(where[0], f"{DROPPED_MEASUREMENT},{tags}", stamp)
            per_test[where[0]].append(f"{DROPPED_MEASUREMENT},{tags} dropped={count}i {ms}")
        for (where, check), (rate, stamp) in push.checks.items():
            tags = self._tags(where) + f",{CHECK_LABEL}={escape_tag(check or '-')}"
            ms = self._stamp(where[0], f"{CHECKS_MEASUREMENT},{tags}", stamp)
            per_test[where[0]].append(f"{CHECKS_MEASUREMENT},{tags} rate={rate!r} {ms}")
        for (test_id, runner), values in push.vus.items():
            if line := self._vus_point(test_id, runner, values):
                per_test[test_id].append(line)

    @staticmethod
    def _stat(state: SeriesState, group: Group, stat: str, value: float) -> None:
        if stat == "count":
            count = round(value * TIME_SCALE)
            added = count - state.duration_count if count >= state.duration_count else count
            # A reset (a new run under the same id) restarts the sum with the count.
            if count < state.duration_count:
                state.duration_sum = 0.0
            state.duration_count = count
            group.duration_count += added
        elif stat == "sum":
            added_s = value - state.duration_sum if value >= state.duration_sum else value
            state.duration_sum = value
            group.duration_sum += added_s * TIME_SCALE
        elif stat == "min":
            ms = value * TIME_SCALE
            group.duration_min = ms if group.duration_min is None else min(group.duration_min, ms)
        elif stat == "max":
            ms = value * TIME_SCALE
            group.duration_max = ms if group.duration_max is None else max(group.duration_max, ms)
        elif stat == "p99":
            ms = value * TIME_SCALE
            group.duration_p99 = ms if group.duration_p99 is None else max(group.duration_p99, ms)

    @staticmethod
    def _histogram(state: SeriesState, group: Group, histogram: Any) -> None:
        count = histogram_count(histogram)
        reset = count < state.duration_count
        if reset:
            state.duration_count, state.duration_sum, state.buckets, state.zero = 0, 0.0, {}, 0
        group.duration_count += count - state.duration_count
        group.duration_sum += (histogram.sum - state.duration_sum) * TIME_SCALE
        state.duration_count, state.duration_sum = count, histogram.sum
        buckets = bucket_counts(histogram)
        for index, total in buckets.items():
            added = total - state.buckets.get(index, 0)
            if added:
                group.buckets[index] = group.buckets.get(index, 0) + added
        state.buckets = buckets
        zero = int(histogram.zero_count_int)
        group.zero += zero - state.zero
        state.zero = zero
        group.schema = int(histogram.schema)

    def _stamp(self, test_id: str, point_series: str, ms: int) -> int:
        # Two points of one series at the same time would overwrite each other in InfluxDB.
        last = self.tests[test_id].last_ms
        ms = max(ms, last.get(point_series, 0) + 1)
        last[point_series] = ms
        return ms

    @staticmethod
    def _tags(where: GroupKey, scenario: bool = True) -> str:
        test_id, runner, name, step = where
        tags = f"{TEST_ID_LABEL}={escape_tag(test_id)}"
        if runner:  # absent on a test of one runner, as on k6's own samples
            tags += f",{RUNNER_LABEL}={escape_tag(runner)}"
        if scenario:
            tags += f",{SCENARIO_LABEL}={escape_tag(name or NO_SCENARIO)}"
        if step:  # a journey's step, as on k6's own samples
            tags += f",{STEP_LABEL}={escape_tag(step)}"
        return tags

    def _point(self, where: GroupKey, group: Group) -> str:
        if not group.requests and not group.duration_count:
            return ""
        fields = [
            f"requests={group.requests}i",
            f"failed={group.failed}i",
            f"duration_count={group.duration_count}i",
            f"duration_sum={group.duration_sum!r}",
        ]
        for name in ("duration_min", "duration_max", "duration_p99"):
            value = getattr(group, name)
            if value is not None:
                fields.append(f"{name}={value!r}")
        if group.schema is not None:
            cells = "".join(f" {i}:{n}" for i, n in sorted(group.buckets.items()) if n)
            fields.append(f'duration_hist="{group.schema} z:{group.zero}{cells}"')
        tags = self._tags(where)
        ms = self._stamp(where[0], f"{REQUESTS_MEASUREMENT},{tags}", group.ms)
        return f"{REQUESTS_MEASUREMENT},{tags} {','.join(fields)} {ms}"

    def _vus_point(self, test_id: str, runner: str, values: dict[str, float]) -> str:
        fields = [
            f"{field_name}={round(values[metric])}i"
            for field_name, metric in (("vus", VUS_METRIC), ("vus_max", VUS_MAX_METRIC))
            if metric in values
        ]
        if not fields:
            return ""
        tags = self._tags((test_id, runner, "", ""), scenario=False)
        ms = self._stamp(test_id, f"{VUS_MEASUREMENT},{tags}", int(values["ms"]))
        return f"{VUS_MEASUREMENT},{tags} {','.join(fields)} {ms}"

    def prune(self, now: float) -> None:
        """Forget tests that pushed nothing for ``state_ttl`` seconds (bounded memory)."""
        self._pruned = now
        for test_id in [t for t, s in self.tests.items() if now - s.seen > self.state_ttl]:
            del self.tests[test_id]
