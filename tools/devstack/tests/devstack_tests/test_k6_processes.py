"""``down`` stops the k6 runs of its stack, and only those: real k6 processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mv_devstack.config import StackConfig
from mv_devstack.k6_processes import k6_pids, runs_k6_under, stop_k6
from mv_runtime.processes import pid_alive

# The local executor's wrapper (services/test-runner, executors/local.py): it ignores SIGTERM,
# runs k6, and records k6's exit code.
WRAPPER = 'trap "" TERM; "$0" "$@"; echo $? > "$MV_EXIT_FILE"'
SCRIPT = """import http from 'k6/http';
import { sleep } from 'k6';
export const options = { vus: 1, duration: '10m' };
export default function () { console.log('iterating'); sleep(0.2); }
"""


def k6_binary() -> str:
    found = StackConfig().k6_binary()
    if found is None:
        pytest.skip("k6 is not built yet (scripts/bootstrap.sh)")
    return found


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, 9)
        process.wait(10)


def run_dir(root: Path, job: str) -> Path:
    directory = root / "runs" / job
    directory.mkdir(parents=True)
    (directory / "script.js").write_text(SCRIPT)
    return directory


def start(
    started: list[subprocess.Popen[bytes]], command: list[str], directory: Path
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MV_EXIT_FILE": str(directory / "exit_code")}
    log = (directory / "k6.log").open("wb")
    process = subprocess.Popen(
        command, cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    log.close()
    started.append(process)
    return process


def wait_for(pids: int, root: Path, timeout: float = 30) -> list[int]:
    deadline = time.monotonic() + timeout
    while len(found := k6_pids(root)) < pids:
        assert time.monotonic() < deadline, f"only {found} running"
        time.sleep(0.1)
    return found


def test_the_stacks_k6_runs_are_stopped_and_nothing_else(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    k6 = k6_binary()
    ours = tmp_path / "stack" / "k6-scripts"
    other = tmp_path / "other-stack" / "k6-scripts"
    wrapped_dir = run_dir(ours, "mv-k6-wrapped")
    bare_dir = run_dir(ours, "mv-k6-bare")
    other_dir = run_dir(other, "mv-k6-other")
    command = [k6, "run", "--no-color", "--quiet"]
    wrapped = start(
        processes, ["sh", "-c", WRAPPER, *command, str(wrapped_dir / "script.js")], wrapped_dir
    )
    bare = start(processes, [*command, str(bare_dir / "script.js")], bare_dir)
    elsewhere = start(processes, [*command, str(other_dir / "script.js")], other_dir)
    reader = start(  # names a script of ours, but runs no k6
        processes,
        [sys.executable, "-c", "import time; time.sleep(120)", str(bare_dir / "script.js")],
        bare_dir,
    )
    running = wait_for(3, ours)  # the wrapper, its k6, the bare k6
    for directory in (wrapped_dir, bare_dir):  # the test is under way, not starting
        deadline = time.monotonic() + 30
        while "iterating" not in (directory / "k6.log").read_text():
            assert time.monotonic() < deadline, (directory / "k6.log").read_text()
            time.sleep(0.1)
    assert wrapped.pid in running
    assert bare.pid in running
    assert k6_pids(other) == [elsewhere.pid]

    started = time.monotonic()
    assert stop_k6(ours, grace=20) == running
    took = time.monotonic() - started
    assert k6_pids(ours) == []
    assert wrapped.wait(5) == 0  # it recorded k6's exit code, as after any graceful end
    exit_code = (wrapped_dir / "exit_code").read_text().strip()
    assert exit_code == "105"  # k6's own code for a run aborted by a signal: it handled it
    assert "received a 'terminated' signal" in (wrapped_dir / "k6.log").read_text()
    assert bare.wait(5) is not None
    assert elsewhere.poll() is None
    assert reader.poll() is None
    assert took < 20  # k6 ended on SIGTERM, not on the SIGKILL after the grace
    print(f"k6 runs stopped by SIGTERM in {took:.2f} s, k6 exit code {exit_code}")


def test_a_run_that_ignores_sigterm_is_killed_after_the_grace(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    scripts = tmp_path / "k6-scripts"
    directory = run_dir(scripts, "mv-k6-stubborn")
    stubborn = directory / "k6"  # a program named k6 that will not stop on SIGTERM
    ready = directory / "ready"
    stubborn.write_text(
        "import pathlib, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(120)\n"
    )
    process = start(
        processes, [sys.executable, str(stubborn), "run", str(directory / "script.js")], directory
    )
    (pid,) = wait_for(1, scripts)
    assert pid == process.pid
    deadline = time.monotonic() + 20
    while not ready.exists():  # SIGTERM is ignored from then on
        assert time.monotonic() < deadline
        time.sleep(0.05)
    started = time.monotonic()
    assert stop_k6(scripts, grace=1.0) == [pid]
    assert process.wait(5) == -9
    assert 1.0 <= time.monotonic() - started < 5
    assert not pid_alive(pid)


def test_command_lines_that_run_k6_on_a_script_of_the_folder(tmp_path: Path) -> None:
    scripts = tmp_path / "k6-scripts"
    script = str(scripts / "runs" / "j" / "script.js")
    assert runs_k6_under(["/usr/local/bin/k6", "run", "-o", "x", script], scripts)
    assert runs_k6_under(["sh", "-c", WRAPPER, "/opt/k6", "run", script], scripts)
    assert not runs_k6_under(["vim", script], scripts)
    assert not runs_k6_under(["k6", "version"], scripts)
    assert not runs_k6_under(["k6", "run", str(tmp_path / "k6-scripts-old" / "s.js")], scripts)


def test_down_stops_the_k6_runs_of_its_stack(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    """The CLI, as `make down` runs it, on a stack folder whose test-runner left k6 running."""
    config = StackConfig(dir=tmp_path / "stack")
    directory = run_dir(config.k6_scripts_dir, "mv-k6-left")
    script = str(directory / "script.js")
    wrapper = start(processes, ["sh", "-c", WRAPPER, k6_binary(), "run", script], directory)
    wait_for(2, config.k6_scripts_dir)
    env = {**os.environ, "MV_DIR": str(config.dir)}
    status = subprocess.run(
        [sys.executable, "-m", "mv_devstack", "status"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "k6                   2 processes" in status.stdout
    assert "running" not in status.stdout  # scripts/test.sh reads it as "the stack is up"
    down = subprocess.run(
        [sys.executable, "-m", "mv_devstack", "down"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "k6                   stopped (2 processes" in down.stdout
    assert wrapper.wait(10) == 0
    assert k6_pids(config.k6_scripts_dir) == []
