"""The AsyncAPI document of the bus, generated from the subjects and models in this package.

``python -m mv_contracts.asyncapi`` prints it; ``docs/asyncapi.json`` is the committed copy and a
test fails when the two differ.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI

from .subjects import ALL_SUBJECTS

TITLE = "Metric Vault bus"
VERSION = "1"


def asyncapi_document() -> dict[str, Any]:
    broker = NatsBroker("nats://127.0.0.1:4222")
    for subject in ALL_SUBJECTS:
        consumers = ", ".join(subject.consumers)
        broker.publisher(
            subject.name,
            title=subject.name,
            description=(
                f"{subject.description} Transport: {subject.transport}. "
                f"Published by {subject.publisher}; consumed by {consumers}."
            ),
            schema=subject.message,
        )
    spec = AsyncAPI(
        broker,
        title=TITLE,
        version=VERSION,
        description="Commands and events between Metric Vault's services.",
        schema_version="3.0.0",
    )
    document: dict[str, Any] = json.loads(spec.to_specification().to_json())
    return document


def render() -> str:
    return json.dumps(asyncapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
