"""The remote-write decoder and the compactor on pushes captured from real k6 (``fixtures/``).

The fixtures are what k6 v2.2.0 sent in a 2-second run of two scenarios (``capture.py`` there
says how they were made); k6's own end-of-test summary of that run is beside them.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import cramjam
import pytest

from mv_metrics_aggregator.receiver.compact import Compactor
from mv_metrics_aggregator.receiver.remote_write import (
    RemoteWriteError,
    TimeSeries,
    WriteRequest,
    bucket_counts,
    decode,
    encode,
    histogram_count,
)

FIXTURES = Path(__file__).parent / "fixtures" / "remote_write"
SCENARIOS = ("ok", "failing")


def pushes(mode: str) -> list[Any]:
    files = sorted(FIXTURES.glob(f"{mode}-*.bin"))
    assert files, f"no {mode} fixtures"
    return [decode(path.read_bytes()) for path in files]


def summary(mode: str) -> dict[str, Any]:
    metrics: dict[str, Any] = json.loads((FIXTURES / f"{mode}-summary.json").read_text())["metrics"]
    return metrics


def parse(line: str) -> tuple[str, dict[str, str], dict[str, Any], int]:
    """A line of our own line protocol (no escaped characters in these fixtures)."""
    head, rest = line.split(" ", 1)
    fields_text, stamp = rest.rsplit(" ", 1)
    measurement, *tag_parts = head.split(",")
    tags = dict(part.split("=", 1) for part in tag_parts)
    fields: dict[str, Any] = {}
    for name, value in re.findall(r'(\w+)=("[^"]*"|[^,]+)', fields_text):
        if value.startswith('"'):
            fields[name] = value.strip('"')
        elif value.endswith("i"):
            fields[name] = int(value[:-1])
        else:
            fields[name] = float(value)
    return measurement, tags, fields, int(stamp)


def compact(mode: str) -> list[tuple[str, dict[str, str], dict[str, Any], int]]:
    compactor = Compactor()
    return [parse(line) for push in pushes(mode) for line in compactor.lines(push)]


def per_scenario(
    points: list[tuple[str, dict[str, str], dict[str, Any], int]], name: str
) -> dict[str, float]:
    totals: dict[str, float] = {}
    for measurement, tags, fields, _ in points:
        if measurement == "mv_requests" and tags["scenario"] == name:
            for key in ("requests", "failed", "duration_count", "duration_sum"):
                totals[key] = totals.get(key, 0) + fields[key]
            for key, pick in (("duration_min", min), ("duration_max", max)):
                if key in fields:
                    totals[key] = pick(totals.get(key, fields[key]), fields[key])
    return totals


def test_a_push_decodes_to_k6_series() -> None:
    first = pushes("trend")[0]
    names = {
        label.value
        for series in first.timeseries
        for label in series.labels
        if label.name == "__name__"
    }
    assert {"k6_http_reqs_total", "k6_http_req_duration_count", "k6_http_req_failed_rate"} <= names
    reqs = next(
        series
        for series in first.timeseries
        if any(label.value == "k6_http_reqs_total" for label in series.labels)
    )
    labels = {label.name: label.value for label in reqs.labels}
    assert labels["testid"] == "fixture"
    assert labels["scenario"] in SCENARIOS
    assert labels["expected_response"] in ("true", "false")
    assert reqs.samples[0].value >= 1
    assert reqs.samples[0].timestamp > 1_700_000_000_000  # epoch milliseconds


@pytest.mark.parametrize("mode", ["trend", "native"])
def test_compact_points_add_up_to_k6s_own_summary(mode: str) -> None:
    points = compact(mode)
    k6 = summary(mode)
    for name in SCENARIOS:
        ours = per_scenario(points, name)
        reqs = k6[f"http_reqs{{scenario:{name}}}"]["values"]
        failed = k6[f"http_req_failed{{scenario:{name}}}"]["values"]
        durations = k6[f"http_req_duration{{scenario:{name}}}"]["values"]
        assert ours["requests"] == reqs["count"], name
        assert ours["failed"] == failed["passes"], name
        assert ours["duration_count"] == reqs["count"], name
        assert math.isclose(
            ours["duration_sum"] / ours["duration_count"], durations["avg"], rel_tol=1e-9
        )
        if mode == "trend":
            assert math.isclose(ours["duration_min"], durations["min"], rel_tol=1e-9)
            assert math.isclose(ours["duration_max"], durations["max"], rel_tol=1e-9)
    assert per_scenario(points, "failing")["failed"] > 0
    assert per_scenario(points, "ok")["failed"] == 0


def test_native_histogram_buckets_hold_every_request() -> None:
    points = [p for p in compact("native") if p[0] == "mv_requests"]
    for _, _, fields, _ in points:
        schema, zero, *cells = fields["duration_hist"].split(" ")
        assert schema == "3"
        counted = int(zero.removeprefix("z:")) + sum(int(cell.split(":")[1]) for cell in cells)
        assert counted == fields["duration_count"]


def test_points_of_a_scenario_have_increasing_times() -> None:
    for mode in ("trend", "native"):
        stamps: dict[str, list[int]] = {}
        for measurement, tags, _, stamp in compact(mode):
            stamps.setdefault(f"{measurement}/{tags.get('scenario')}", []).append(stamp)
        for series, times in stamps.items():
            assert times == sorted(set(times)), series


def _series(name: str, value: float, ms: int, **labels: str) -> Any:
    series = TimeSeries()
    for key, text in sorted({"__name__": name, **labels}.items()):
        series.labels.add(name=key, value=text)
    series.samples.add(value=value, timestamp=ms)
    return series


def _request(*series: Any) -> Any:
    request = WriteRequest()
    request.timeseries.extend(series)
    return request


def test_a_lost_push_is_carried_by_the_next_and_a_reset_starts_over() -> None:
    compactor = Compactor()
    tags = {"testid": "t", "scenario": "s", "expected_response": "true"}
    compactor.lines(_request(_series("k6_http_reqs_total", 10, 1_000, **tags)))
    # The push at 2 s was lost; the one at 3 s holds the cumulative count.
    (line,) = compactor.lines(_request(_series("k6_http_reqs_total", 30, 3_000, **tags)))
    assert parse(line)[2]["requests"] == 20
    (line,) = compactor.lines(_request(_series("k6_http_reqs_total", 4, 4_000, **tags)))
    assert parse(line)[2]["requests"] == 4  # a new run under the same id


def test_failures_without_the_expected_response_tag_come_from_the_rate() -> None:
    compactor = Compactor()
    tags = {"testid": "t", "scenario": "s", "status": "500"}
    lines = compactor.lines(
        _request(
            _series("k6_http_reqs_total", 300, 1_000, **tags),
            _series("k6_http_req_failed_rate", 1 / 3, 1_000, **tags),
        )
    )
    assert parse(lines[0])[2]["failed"] == 100


def test_stale_markers_change_nothing() -> None:
    compactor = Compactor()
    tags = {"testid": "t", "scenario": "s", "expected_response": "true"}
    compactor.lines(_request(_series("k6_http_reqs_total", 10, 1_000, **tags)))
    stale = _series("k6_http_reqs_total", math.nan, 2_000, **tags)
    assert compactor.lines(_request(stale)) == []
    (line,) = compactor.lines(_request(_series("k6_http_reqs_total", 12, 3_000, **tags)))
    assert parse(line)[2]["requests"] == 2


def test_series_without_a_test_id_are_counted_and_skipped() -> None:
    compactor = Compactor()
    assert compactor.lines(_request(_series("k6_http_reqs_total", 5, 1_000, scenario="s"))) == []
    assert compactor.stats.untagged == 1


def test_encode_decode_round_trip_and_bad_bodies() -> None:
    request = _request(_series("k6_vus", 3, 1_000, testid="t"))
    assert decode(encode(request)) == request
    with pytest.raises(RemoteWriteError, match="not snappy"):
        decode(b"\xff\xff\xff\xff not snappy")
    with pytest.raises(RemoteWriteError, match=r"not a prometheus\.WriteRequest"):
        decode(bytes(cramjam.snappy.compress_raw(b"\xff\xff\xff")))


def test_bucket_counts_unfold_spans_and_deltas() -> None:
    (series,) = [
        s
        for s in pushes("native")[0].timeseries
        if {label.value for label in s.labels} >= {"failing", "k6_http_req_duration_seconds"}
    ]
    histogram = series.histograms[0]
    counts = bucket_counts(histogram)
    assert sum(counts.values()) + histogram.zero_count_int == histogram_count(histogram)
    assert all(count >= 0 for count in counts.values())


def test_native_pushes_give_failures_by_kind_as_k6_counted_them() -> None:
    points = compact("native")
    failures = [p for p in points if p[0] == "mv_failures"]
    assert {
        (tags["scenario"], tags["status"], tags.get("error_code")) for _, tags, _, _ in failures
    } == {("failing", "503", "1503")}
    failed = summary("native")["http_req_failed{scenario:failing}"]["values"]["passes"]
    assert sum(fields["failed"] for _, _, fields, _ in failures) == failed


def test_runners_of_one_test_get_points_of_their_own() -> None:
    compactor = Compactor()
    lines = compactor.lines(
        _request(
            *(
                _series(
                    "k6_http_reqs_total",
                    10 * runner,
                    1_000,
                    testid="t",
                    scenario="s",
                    expected_response="true",
                    runner=str(runner),
                )
                for runner in (1, 2)
            ),
            *(
                _series("k6_vus", 3 + runner, 1_000, testid="t", runner=str(runner))
                for runner in (1, 2)
            ),
        )
    )
    points = [parse(line) for line in lines]
    requests = {
        tags["runner"]: fields["requests"] for m, tags, fields, _ in points if m == "mv_requests"
    }
    assert requests == {"1": 10, "2": 20}
    vus = {tags["runner"]: fields["vus"] for m, tags, fields, _ in points if m == "mv_vus"}
    assert vus == {"1": 4, "2": 5}
    # One runner: no runner tag, as on k6's own samples.
    (line,) = Compactor().lines(_request(_series("k6_vus", 3, 1_000, testid="t")))
    assert parse(line)[1] == {"testid": "t"}


def test_dropped_iterations_and_failures_without_a_response_are_deltas_per_scenario() -> None:
    compactor = Compactor()
    tags = {"testid": "t", "scenario": "s"}
    timeout = {**tags, "status": "0", "error_code": "1050", "expected_response": "false"}
    first = compactor.lines(
        _request(
            _series("k6_dropped_iterations_total", 3, 1_000, **tags),
            _series("k6_http_reqs_total", 2, 1_000, **timeout),
        )
    )
    second = compactor.lines(
        _request(
            _series("k6_dropped_iterations_total", 7, 2_000, **tags),
            _series("k6_http_reqs_total", 2, 2_000, **timeout),  # no new failures
        )
    )
    parsed = [parse(line) for line in first + second]
    assert [f["dropped"] for m, _, f, _ in parsed if m == "mv_dropped"] == [3, 4]
    ((_, kind, fields, _),) = [p for p in parsed if p[0] == "mv_failures"]
    assert (kind["status"], kind["error_code"], fields["failed"]) == ("0", "1050", 2)
