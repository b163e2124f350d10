"""Answering a script preview: the script the runner would generate for a request, or why it
cannot be generated — without running anything."""

from __future__ import annotations

import structlog
from faststream.nats import NatsBroker

from mv_contracts.runs import ScriptPreview, ScriptPreviewRequested, TestRunRequest
from mv_contracts.subjects import PREVIEW_SCRIPT
from mv_runtime.bus import subscribe

from .script.generator import generate_script

log = structlog.get_logger()


def preview(request: TestRunRequest) -> ScriptPreview:
    try:
        return ScriptPreview(script=generate_script(request).text)
    except (ValueError, OverflowError, TypeError) as error:
        log.info("script preview refused", test_id=request.test_id, error=str(error))
        return ScriptPreview(error=f"the script cannot be generated: {error}")


def register(broker: NatsBroker, service: str) -> None:
    @subscribe(broker, service, PREVIEW_SCRIPT)
    async def on_preview(event: ScriptPreviewRequested) -> ScriptPreview:
        return preview(event.payload)
