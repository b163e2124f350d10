"""The isolation worker's lifetime: it ends with the service that owns it, even a killed one."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

OWNER = """
import asyncio, os, sys, time
from mv_spec_analyzer.isolation import isolated

async def main() -> None:
    for function in (os.getpid, os.getppid):  # the worker's, and its forkserver's
        print(await isolated(function, seconds=60, memory_mb=512, what="a call"), flush=True)

asyncio.run(main())
time.sleep(120)
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def test_a_killed_service_leaves_no_worker_behind() -> None:
    owner = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        worker, forkserver = int(owner.stdout.readline()), int(owner.stdout.readline())
        assert worker != owner.pid
        assert _running(worker)
        assert _running(forkserver)
    finally:
        owner.send_signal(signal.SIGKILL)  # no shutdown(), no atexit: as a crash or the OOM killer
        owner.wait()
    deadline = time.monotonic() + 30
    try:
        while _running(worker) or _running(forkserver):
            assert time.monotonic() < deadline, (
                f"worker {worker} or forkserver {forkserver} still runs 30 s after its owner died"
            )
            time.sleep(0.1)
    finally:
        for left in (worker, forkserver):
            with contextlib.suppress(ProcessLookupError):
                os.kill(left, signal.SIGKILL)
