"""The isolation worker's lifetime: it ends with the service that owns it, even a killed one."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from mv_runtime.processes import pid_alive

OWNER = """
import asyncio, os, sys
from mv_spec_analyzer.isolation import isolated

async def main() -> None:
    for function in (os.getpid, os.getppid):  # the worker's, and its forkserver's
        print(await isolated(function, seconds=60, memory_mb=512, what="a call"), flush=True)

asyncio.run(main())
sys.stdin.read()  # until killed (or the test's end closes it)
"""


def test_a_killed_service_leaves_no_worker_behind() -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert owner.stdout is not None
        worker, forkserver = int(owner.stdout.readline()), int(owner.stdout.readline())
        assert worker != owner.pid
        assert pid_alive(worker)
        assert pid_alive(forkserver)
    finally:
        owner.send_signal(signal.SIGKILL)  # no shutdown(), no atexit: as a crash or the OOM killer
        owner.wait()
    deadline = time.monotonic() + 30
    try:
        while pid_alive(worker) or pid_alive(forkserver):
            assert time.monotonic() < deadline, (
                f"worker {worker} or forkserver {forkserver} still runs 30 s after its owner died"
            )
            time.sleep(0.1)
    finally:
        for left in (worker, forkserver):
            with contextlib.suppress(ProcessLookupError):
                os.kill(left, signal.SIGKILL)
