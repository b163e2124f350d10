"""Pod and Service manifests (JSON dicts) for the tests, and a bounded wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

Json = dict[str, Any]


def container(
    name: str, requests: Json | None = None, limits: Json | None = None, **extra: Any
) -> Json:
    resources: Json = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    return {"name": name, "image": extra.pop("image", "demo:1"), "resources": resources, **extra}


def pod(name: str, containers: list[Json], init: list[Json] | None = None, **metadata: Any) -> Json:
    spec: Json = {"containers": containers}
    if init:
        spec["initContainers"] = init
    return {"metadata": {"name": name, **metadata}, "spec": spec}


async def eventually(check: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
    """Wait until ``check()`` holds; fail naming ``what`` after ``seconds`` (a bound only)."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")
