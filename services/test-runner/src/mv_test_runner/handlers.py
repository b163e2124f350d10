"""The runner's edges on the bus: RUN_TEST and CANCEL_TEST in, lifecycle events out; a script
preview asked and answered."""

from __future__ import annotations

from faststream.nats import NatsBroker

from mv_contracts.runs import (
    ScriptPreview,
    ScriptPreviewRequested,
    TestCancelRequested,
    TestRunRequested,
)
from mv_contracts.subjects import CANCEL_TEST, PREVIEW_SCRIPT, RUN_TEST
from mv_runtime.bus import subscribe

from .lifecycle import Lifecycle
from .preview import preview

SERVICE = "test-runner"


def register(broker: NatsBroker, lifecycle: Lifecycle, service: str = SERVICE) -> None:
    """Subscribe the runner's handlers; ``service`` names the durable consumers."""

    @subscribe(broker, service, RUN_TEST)
    async def run_test(message: TestRunRequested) -> None:
        await lifecycle.run(message.payload, requested_at=message.time)

    @subscribe(broker, service, CANCEL_TEST)
    async def cancel_test(message: TestCancelRequested) -> None:
        await lifecycle.cancel(message.payload.test_id, message.payload.reason)

    @subscribe(broker, service, PREVIEW_SCRIPT)
    async def on_preview(event: ScriptPreviewRequested) -> ScriptPreview:
        return preview(event.payload)
