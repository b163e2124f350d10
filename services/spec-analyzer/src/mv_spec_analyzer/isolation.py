"""CPU-bound work (parsing, normalising) in a child process with hard time and memory limits.

A thread cannot be stopped, so a document that takes too long would keep a core busy after its
analysis gave up; a child process is killed instead. Its address space is capped with
``RLIMIT_AS``, so a document that needs too much memory fails alone, without the service.
One worker process per memory limit is shared by every analysis of this process, and ends
with it: a pool worker waits on a call queue whose writing end it holds itself, so without a
watch of its own it would outlive a killed service for good (and keep the forkserver and the
resource tracker alive through the descriptors it inherited).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import select
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from mv_contracts.spec import FailureKind
from mv_runtime.processes import pid_alive

from .errors import AnalysisError

T = TypeVar("T")
_pools: dict[int, ProcessPoolExecutor] = {}


def _start_worker(owner: int, max_bytes: int) -> None:
    threading.Thread(target=_exit_with, args=(owner,), name="owner-watch", daemon=True).start()
    if max_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def _exit_with(owner: int) -> None:
    try:
        owner_ended = os.pidfd_open(owner)
    except ProcessLookupError:
        pass
    except OSError:  # no pidfd (an old kernel, a strict seccomp profile): ask every second
        while pid_alive(owner):
            time.sleep(1)
    else:
        select.select([owner_ended], [], [])
    os._exit(0)


def _pool(max_bytes: int) -> ProcessPoolExecutor:
    pool = _pools.get(max_bytes)
    if pool is None:
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=_start_worker,
            initargs=(os.getpid(), max_bytes),
        )
        _pools[max_bytes] = pool
    return pool


def _discard(max_bytes: int) -> None:
    """Kill the worker (it may be stuck in C code) and forget the pool."""
    pool = _pools.pop(max_bytes, None)
    if pool is None:
        return
    processes = list(getattr(pool, "_processes", {}).values())
    for process in processes:
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    for max_bytes in list(_pools):
        _discard(max_bytes)


async def isolated(
    function: Callable[..., T], *args: Any, seconds: float, memory_mb: int, what: str
) -> T:
    """``function(*args)`` in the worker; a time-out or memory exhaustion is an AnalysisError."""
    max_bytes = memory_mb * 1024 * 1024
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(seconds):
            return await loop.run_in_executor(_pool(max_bytes), function, *args)
    except TimeoutError as error:
        _discard(max_bytes)
        raise AnalysisError(
            FailureKind.TIMEOUT, f"{what} took longer than {seconds:g} s and was stopped"
        ) from error
    except MemoryError as error:
        raise AnalysisError(
            FailureKind.TOO_LARGE, f"{what} needs more than the memory limit of {memory_mb} MB"
        ) from error
    except BrokenProcessPool as error:
        _discard(max_bytes)
        raise AnalysisError(
            FailureKind.TOO_LARGE,
            f"{what} stopped its worker process (memory limit {memory_mb} MB?)",
        ) from error
