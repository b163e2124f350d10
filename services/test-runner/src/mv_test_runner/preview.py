"""Answering a script preview (the script the runner would generate for a request, or why it
cannot be generated) and an own script's inspection by k6 — without running anything."""

from __future__ import annotations

import structlog
from faststream.nats import NatsBroker

from mv_contracts.ownscripts import ScriptInspection, ScriptInspectRequested
from mv_contracts.runs import ScriptPreview, TestRunRequest
from mv_contracts.subjects import INSPECT_SCRIPT
from mv_runtime.bus import subscribe

from .ownscript.inspect import inspect
from .script.generator import generate_script
from .settings import Settings

log = structlog.get_logger()


def preview(request: TestRunRequest) -> ScriptPreview:
    try:
        return ScriptPreview(script=generate_script(request).text)
    except (ValueError, OverflowError, TypeError) as error:
        log.info("script preview refused", test_id=request.test_id, error=str(error))
        return ScriptPreview(error=f"the script cannot be generated: {error}")


def register_inspect(broker: NatsBroker, settings: Settings) -> None:
    """Answer INSPECT_SCRIPT with k6's reading of an own script (k6 is here, not at the gateway)."""

    @subscribe(broker, settings.service_name, INSPECT_SCRIPT)
    async def on_inspect(event: ScriptInspectRequested) -> ScriptInspection:
        return await inspect(settings.k6_binary, event.payload, settings.inspect_seconds)
