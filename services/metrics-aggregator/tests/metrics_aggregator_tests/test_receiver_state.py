"""The state a push's message carries, and how a push becomes messages, without a server: a
compactor restored from a message goes on exactly as the one that wrote it (captured k6 pushes
of ``fixtures/``)."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from mv_contracts.subjects import POINTS_SUBJECT
from mv_metrics_aggregator.receiver.compact import Compactor
from mv_metrics_aggregator.receiver.journal import Journal, split, subject_of
from mv_metrics_aggregator.receiver.remote_write import decode
from mv_metrics_aggregator.receiver.settings import ReceiverSettings
from mv_metrics_aggregator.receiver.state import dump, dump_state, load, load_state

FIXTURES = Path(__file__).parent / "fixtures" / "remote_write"


def pushes(mode: str, test_id: str = "fixture") -> list[Any]:
    requests = [decode(path.read_bytes()) for path in sorted(FIXTURES.glob(f"{mode}-*.bin"))]
    assert len(requests) >= 3
    for request in requests:
        for series in request.timeseries:
            for label in series.labels:
                if label.name == "testid":
                    label.value = test_id
    return requests


@pytest.mark.parametrize("mode", ["trend", "native"])
def test_a_restored_compactor_makes_the_same_points_as_the_one_it_was_saved_from(
    mode: str,
) -> None:
    requests = pushes(mode)
    for cut in range(1, len(requests)):
        original = Compactor()
        for request in requests[:cut]:
            original.lines(request)
        saved = {t: json.loads(json.dumps(dump_state(s))) for t, s in original.tests.items()}
        restored = Compactor()
        restored.tests = {t: load_state(s) for t, s in saved.items()}
        for t, state in restored.tests.items():
            assert dump_state(state) == dump_state(original.tests[t])
            assert state.series == original.tests[t].series
        for request in requests[cut:]:
            assert restored.lines(request) == original.lines(request), (mode, cut)


def test_a_restored_state_is_not_a_fresh_one() -> None:
    # Guards the round trip against a state that loads as empty: the next push would count
    # k6's cumulative totals again.
    compactor = Compactor()
    compactor.lines(pushes("native")[0])
    (state,) = compactor.tests.values()
    restored = load_state(json.loads(json.dumps(dump_state(state))))
    assert restored.series
    assert restored.last_ms
    assert any(s.requests and s.buckets for s in restored.series.values())


def test_subjects_are_one_nats_token_per_test() -> None:
    uuid = "2f1d7c8e-8a43-4c55-9f55-1f1a0e8a2b3c"
    assert subject_of(uuid) == POINTS_SUBJECT.replace("*", uuid)
    odd = subject_of("my test.1 > *")
    assert odd == subject_of("my test.1 > *") != subject_of("my test.1 > ?")
    token = odd.removeprefix(POINTS_SUBJECT[:-1])
    assert token.startswith("h-")
    assert all(c.isalnum() or c in "-_" for c in token)


async def test_a_push_of_two_tests_becomes_one_message_each_with_its_own_points() -> None:
    compactor = Compactor()
    journal = Journal(compactor, max_held_bytes=1 << 20, publish_wait=0)
    journal.restored = True
    (first,) = pushes("trend", "one")[:1]
    (second,) = pushes("trend", "two")[:1]
    first.timeseries.extend(second.timeseries)
    journal._accept(first)
    messages = {m.subject: split(m.data) for m in journal._outbox}
    assert set(messages) == {subject_of("one"), subject_of("two")}
    for test_id in ("one", "two"):
        head, lines = messages[subject_of(test_id)]
        assert head["test_id"] == test_id
        assert head["n"] == 1
        assert load_state(head["state"]).series == compactor.tests[test_id].series
        assert lines
        tag = re.compile(rf",testid={test_id}[, ]")
        assert all(tag.search(line) for line in lines.decode().split("\n"))
    assert journal.stats.held == 2
    assert journal.refusal() is None
    journal.max_held_bytes = 0
    assert journal.refusal() is not None
    assert "held in memory" in str(journal.refusal())


@dataclass
class Inner:
    total: int = 0
    mean: float = 0.0
    buckets: dict[int, int] = field(default_factory=dict)


@dataclass
class Shape:
    """Fields of the kinds a compactor's state may grow (tuple keys, sets, options, nesting)."""

    by_key: dict[tuple[tuple[str, str], ...], Inner] = field(default_factory=dict)
    runners: set[str] = field(default_factory=set)
    last: dict[str, int] = field(default_factory=dict)
    limit: float | None = None
    pair: tuple[int, str] = (0, "")
    seen: float = 0.0


def test_the_state_conversion_follows_the_type_hints_of_any_dataclass() -> None:
    value = Shape(
        by_key={(("scenario", "s"), ("status", "200")): Inner(3, 1.5, {-3: 1, 7: 2})},
        runners={"r1", "r2"},
        last={"": 5},
        limit=2.0,
        pair=(4, "x"),
        seen=99.0,
    )
    text = json.dumps(dump(value, Shape))
    back = load(json.loads(text), Shape)
    assert back == Shape(**{**dataclasses.asdict(value), "seen": 0.0, "by_key": value.by_key})
    assert isinstance(back.runners, set)
    assert load(json.loads(json.dumps(dump(Shape(), Shape))), Shape) == Shape()
    assert isinstance(load({"mean": 2}, Inner).mean, float)  # an int in JSON, a float back


def test_the_stream_must_keep_a_push_as_long_as_the_state_is_kept() -> None:
    with pytest.raises(ValidationError, match="RECEIVER_STREAM_MAX_AGE must be at least"):
        ReceiverSettings(receiver_stream_max_age=60, receiver_state_ttl=3600)
    assert ReceiverSettings().receiver_stream_max_age >= ReceiverSettings().receiver_state_ttl
