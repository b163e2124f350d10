"""A team's own k6 script: the files that travel to the runner, and k6's own view of them.

The gateway keeps an uploaded script (one ``.js`` file, or an archive with its local modules and
data files) as a normalised archive: a gzip-compressed tar of regular files only, at most
:data:`MAX_FILES` of them, each path relative and inside the archive (:func:`safe_path`). That
archive, base64 in JSON, is what the inspect request and the run request carry, so it is bounded
by :data:`MAX_ARCHIVE_BYTES` to stay well under NATS's largest message.

k6 reads the options (scenarios, executors, thresholds) itself: ``k6 inspect
--execution-requirements`` answers :class:`ScriptInspection`, the only view of the script the
platform trusts (a script's options are JavaScript: they may be computed).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import Field

from .common import DbId, Text
from .envelope import Contract, Envelope

MAX_ARCHIVE_BYTES = 512 * 1024
"""The normalised archive (tar.gz) at most; base64 makes it 4/3 larger on the bus."""
MAX_FILES = 200
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 16 * 1024 * 1024
"""Unpacked: the sum of every file's size."""

# __ENV names: what a shell would take, so `K=V` on a command line and k6's __ENV agree.
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")]


def safe_path(name: str) -> str | None:
    """``name`` as a relative POSIX path inside the archive, or None when it is absolute, climbs
    out (``..``), names a device or holds a character no file name should (NUL, backslash)."""
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        return None
    if re.match(r"^[A-Za-z]:", name):  # a Windows drive
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return "/".join(parts)


class OwnScriptFiles(Contract):
    """A script's files as they travel: the normalised archive and the file k6 runs."""

    entry: str = Field(min_length=1, max_length=1024, description="The file k6 runs")
    archive: str = Field(
        max_length=(MAX_ARCHIVE_BYTES * 4) // 3 + 4,
        description="base64 of a tar.gz of regular files (see the module's documentation)",
    )


class OwnScript(OwnScriptFiles):
    """The own script a test runs, with what k6's inspection said of it."""

    version_id: DbId = Field(description="The stored version that runs")
    max_vus: int = Field(ge=1, description="k6 inspect --execution-requirements: maxVUs")
    seconds: float = Field(
        default=0, ge=0, description="k6's totalDuration, graceful stops included, in seconds"
    )
    scenarios: list[str] = Field(
        default_factory=list, max_length=1000, description="The script's k6 scenario keys"
    )
    env: dict[EnvName, str] = Field(
        default_factory=dict,
        max_length=200,
        description="__ENV of k6, given at start: each value secret (sealed on the bus, never "
        "stored with the script, shown nowhere)",
    )


class InspectedScenario(Contract):
    name: str = Field(description="The k6 scenario key (k6's scenario tag)")
    executor: str
    exec: str = Field(default="default", description="The exported function it runs")
    options: dict[str, Any] = Field(
        default_factory=dict, description="The scenario's other options as k6 read them"
    )


class ScriptInspection(Contract):
    """k6's own reading of a script, or why k6 refused it."""

    ok: bool
    error: Text | None = Field(default=None, description="k6's refusal, in words")
    file: str | None = Field(default=None, description="The file the error is in, when known")
    line: int | None = Field(default=None, description="The line the error is at, when known")
    scenarios: list[InspectedScenario] = Field(default_factory=list)
    thresholds: dict[str, list[str]] = Field(default_factory=dict)
    max_vus: int | None = None
    total_duration: str | None = Field(default=None, description="k6's totalDuration")


class ScriptInspectRequested(Envelope):
    type: Literal["test.script.inspect"] = "test.script.inspect"
    payload: OwnScriptFiles
