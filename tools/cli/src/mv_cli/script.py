"""``metric-vault run script.js``: a team's own k6 script (or a .tar.gz/.zip of it with its
modules and data), uploaded as the next version of its name in a project, then run as it is."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .client import Gateway

SCRIPT_SUFFIXES = (".js", ".mjs", ".tar.gz", ".tgz", ".zip")
_TYPES = {".zip": "application/zip", ".tgz": "application/gzip", ".gz": "application/gzip"}


class ScriptError(ValueError):
    """The command line names a script or an environment variable the CLI cannot use."""


def is_script(path: Path) -> bool:
    return path.name.endswith(SCRIPT_SUFFIXES)


def environment(pairs: list[str]) -> dict[str, str]:
    """``K=V`` as given; a bare ``K`` takes K's value from the CLI's own environment, so a CI
    secret need not be spelt out on the command line."""
    found: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals:
            if name not in os.environ:
                raise ScriptError(f"--env {name}: not set in this environment")
            value = os.environ[name]
        if not name:
            raise ScriptError(f"--env {pair!r}: K=V or K")
        found[name] = value
    return found


def upload(client: Gateway, project_id: int, path: Path, name: str, entry: str | None) -> Any:
    """The stored version (k6 inspect's reading included); the gateway's refusal as an error."""
    kind = _TYPES.get(path.suffix, "text/javascript")
    params = {"entry": entry} if entry else {}
    return client.json(
        "POST",
        f"/project/{project_id}/scripts/{name}",
        content=path.read_bytes(),
        headers={"Content-Type": kind},
        params=params,
        timeout=60,
    )


def start(client: Gateway, version_id: int, body: dict[str, Any]) -> dict[str, Any]:
    created: dict[str, Any] = client.json(
        "POST", "/load-testing/own-script", json={"script_id": version_id, **body}
    )
    return created
