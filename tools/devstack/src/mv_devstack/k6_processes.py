"""The k6 processes the stack's test-runner started, found in /proc and stopped.

The local executor runs each test as ``sh -c <wrapper> <k6> run ... <scripts>/runs/<job>/script.js``
in a session of its own (so a restarted test-runner finds its runs again), which also means
stopping the test-runner leaves k6 running. ``down`` therefore looks for them itself: a process
whose command line runs k6 (an argument named ``k6...`` followed by ``run``) on a script under
this stack's script folder — k6 and its wrapper. Nothing else matches: an editor open on a
script runs no k6, and a k6 of another stack (another folder) is left alone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

PROC = Path("/proc")


def _command_line(pid: int) -> list[str]:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:  # gone meanwhile, or not ours to read
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def runs_k6_under(arguments: list[str], scripts: Path) -> bool:
    """True for the command line of k6 (or its wrapper) running a script under ``scripts``."""
    for index, argument in enumerate(arguments[:-1]):
        if Path(argument).name.startswith("k6") and arguments[index + 1] == "run":
            inside = f"{scripts.resolve()}{os.sep}"
            return any(a.startswith(inside) for a in arguments[index + 2 :])
    return False


def k6_pids(scripts: Path) -> list[int]:
    """Every living process running k6 on a script under ``scripts`` (zombies have no
    command line, so they are not counted)."""
    if not PROC.is_dir():  # not Linux: the local executor's runs cannot be found this way
        return []
    pids = (int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit())
    return sorted(pid for pid in pids if runs_k6_under(_command_line(pid), scripts))


def _signal(pids: list[int], number: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # gone, or not ours
            os.kill(pid, number)


def stop_k6(scripts: Path, grace: float = 10.0) -> list[int]:
    """SIGTERM to each such process (k6 then ends its test and writes its summary; the wrapper
    ignores it and records k6's exit code), SIGKILL to those left after ``grace`` seconds.

    Returns the pids that were running.
    """
    found = k6_pids(scripts)
    if not found:
        return []
    _signal(found, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not set(k6_pids(scripts)) & set(found):
            return found
        time.sleep(0.1)
    _signal([pid for pid in k6_pids(scripts) if pid in found], signal.SIGKILL)
    return found
