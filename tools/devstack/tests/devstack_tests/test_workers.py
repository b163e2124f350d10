"""Parallel test workers: disjoint port shares, a stack of each worker's own, slowest first."""

from __future__ import annotations

from pathlib import Path

import pytest

from mv_devstack.config import StackConfig
from mv_devstack.workers import (
    STACK_PORTS,
    free_ports,
    isolate_stack,
    last_durations,
    record_durations,
    slowest_first,
)


def _as_worker(monkeypatch: pytest.MonkeyPatch, index: int, count: int) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", f"gw{index}")
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", str(count))


def test_workers_scanning_one_range_at_once_never_pick_the_same_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    picked: list[set[int]] = []
    for index in range(3):
        _as_worker(monkeypatch, index, 3)
        picked.append(set(free_ports("127.0.0.1", 29001, 29200, 5)))
    assert all(len(ports) == 5 for ports in picked)
    assert len(picked[0] | picked[1] | picked[2]) == 15  # no port twice


def test_a_worker_started_in_place_of_a_crashed_one_shares_no_live_workers_ports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """xdist names a replacement worker gwN with N >= the count (gw3 of three)."""
    live: set[int] = set()
    for index in range(3):
        _as_worker(monkeypatch, index, 3)
        live |= set(free_ports("127.0.0.1", 29001, 29200, 5))
    _as_worker(monkeypatch, 3, 3)
    replacement = set(free_ports("127.0.0.1", 29001, 29200, 5))
    assert len(replacement) == 5
    assert not replacement & live


def test_a_port_in_use_is_skipped(monkeypatch: pytest.MonkeyPatch, occupied_port: int) -> None:
    _as_worker(monkeypatch, 0, 1)
    assert free_ports("127.0.0.1", occupied_port, occupied_port + 50, 1) != [occupied_port]


def test_a_second_worker_gets_a_folder_and_ports_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MV_DIR", str(tmp_path / "test"))
    for name in STACK_PORTS:
        monkeypatch.delenv(f"MV_{name.upper()}", raising=False)
    given = StackConfig()
    _as_worker(monkeypatch, 0, 2)
    assert not isolate_stack()
    assert StackConfig() == given

    _as_worker(monkeypatch, 1, 2)
    assert isolate_stack()
    own = StackConfig()
    assert own.dir == tmp_path / "test-gw1"
    moved = [getattr(own, name) for name in STACK_PORTS]
    assert moved == [getattr(given, name) + 100 for name in STACK_PORTS]
    assert len(set(moved) | {getattr(given, name) for name in STACK_PORTS}) == 2 * len(moved)


def test_the_slowest_files_go_first_each_in_its_own_order() -> None:
    nodeids = ["a.py::t1", "a.py::t2", "b.py::t1", "c.py::t1", "c.py::t2", "d.py::t1"]
    order = slowest_first(nodeids, marked_slow={"d.py"}, last={"c.py": 90.0, "a.py": 5.0})
    assert [nodeids[i] for i in order] == [
        "c.py::t1", "c.py::t2",  # 90 s last time
        "d.py::t1",  # not timed yet, but marked slow
        "a.py::t1", "a.py::t2",  # 5 s
        "b.py::t1",  # neither: last, in collection order
    ]  # fmt: skip


def test_durations_are_merged_with_the_last_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MV_CACHE_DIR", str(tmp_path))
    assert last_durations() == {}
    record_durations({"a.py": 3.0, "b.py": 1.0})
    record_durations({"b.py": 2.5})
    assert last_durations() == {"a.py": 3.0, "b.py": 2.5}
    (tmp_path / "test-durations.json").write_text("not json")
    assert last_durations() == {}
