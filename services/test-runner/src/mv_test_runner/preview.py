"""Answering a script preview: the script the runner would generate for a request, or why it
cannot be generated — without running anything."""

from __future__ import annotations

import structlog

from mv_contracts.runs import ScriptPreview, TestRunRequest

from .script.generator import generate_script

log = structlog.get_logger()


def preview(request: TestRunRequest) -> ScriptPreview:
    try:
        return ScriptPreview(script=generate_script(request).text)
    except (ValueError, OverflowError, TypeError) as error:
        log.info("script preview refused", test_id=request.test_id, error=str(error))
        return ScriptPreview(error=f"the script cannot be generated: {error}")
