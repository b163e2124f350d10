"""A KUBECONFIG that exists but cannot be read (here a directory, as a container runtime makes
for a missing bind-mount source) leaves the pod-watcher running, and its heartbeat says why
pods are not watched, instead of the process crashing at start."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import nats
from nats.aio.msg import Msg

from mv_contracts.health import HeartbeatEvent
from mv_contracts.subjects import HEARTBEAT
from mv_devstack.config import StackConfig

from .test_service import start_process


async def test_an_unreadable_kubeconfig_is_reported_not_fatal(
    stack: StackConfig, tmp_path: Path
) -> None:
    kubeconfig = tmp_path / "config"
    kubeconfig.mkdir()
    env = {
        **os.environ,
        **stack.service_environment(),
        "KUBECONFIG": str(kubeconfig),
        "HEARTBEAT_SECONDS": "0.5",
    }
    connection = await nats.connect(stack.nats_url)
    beats: asyncio.Queue[HeartbeatEvent] = asyncio.Queue()

    async def heard(message: Msg) -> None:
        event = HeartbeatEvent.model_validate_json(message.data)
        if event.payload.service == "pod-watcher":
            await beats.put(event)

    await connection.subscribe(HEARTBEAT.name, cb=heard)
    process = await start_process(env, tmp_path / "pod-watcher.log")
    try:
        async with asyncio.timeout(60):
            while True:
                state = (await beats.get()).payload.dependencies.get("kubernetes")
                if state is not None and not state.ok:
                    break
        assert state.detail is not None
        assert "kubeconfig cannot be read" in state.detail, state.detail
        assert process.returncode is None  # still running
    finally:
        process.terminate()
        await process.wait()
        await connection.close()
