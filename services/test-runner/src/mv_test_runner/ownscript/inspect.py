"""k6's own reading of a team's script: ``k6 inspect --execution-requirements`` in a temporary
folder, under a timeout, with a bare environment and no way out to the network.

Why here: the test-runner is where k6 is (its image, or the machine of the local executor); the
gateway's image has none. The gateway asks over the bus (``INSPECT_SCRIPT``) and shows the
answer. k6 inspect runs the script's init code once, so it is treated as hostile: its folder is
thrown away, it gets ``INSPECT_SECONDS`` and is killed after, its environment holds nothing of
the runner's (no secrets reach ``__ENV``), and every proxy variable points at a closed loopback
port, so a remote module (``import ... from "https://..."``) fails instead of being fetched.

k6's refusals name a temporary path; the answer names the file as the archive holds it, and the
line (k6's ``Line 2:11`` of a syntax error, ``file.js:3:5`` of an error thrown at init, or, for
a module k6 cannot find, the line of the file that imports it).
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from mv_contracts.ownscripts import InspectedScenario, OwnScriptFiles, ScriptInspection
from mv_runtime.scriptfiles import BadArchive, unpack, write

_CLOSED = "http://127.0.0.1:9"  # discard port: nothing listens, a fetch fails at once
_SYNTAX = re.compile(r"(?P<file>file://\S+?): Line (?P<line>\d+):(?P<col>\d+) ")
_THROWN = re.compile(r"(?P<file>file://[^\s:()]+):(?P<line>\d+):(?P<col>\d+)")
_MISSING = re.compile(r'The moduleSpecifier "(?P<spec>[^"]+)" couldn\'t be found')
_SCENARIO_OWN = ("executor", "exec")


def _environment(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "K6_NO_USAGE_REPORT": "true",
        **dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"), _CLOSED),
    }


def _where(error: str, folder: Path, files: dict[str, bytes]) -> tuple[str, str | None, int | None]:
    """The error without the temporary folder, its file and its line, when k6 says them."""
    root = folder.as_uri() + "/"
    text = error.replace(root, "").replace(str(folder) + "/", "")
    for pattern in (_SYNTAX, _THROWN):
        found = pattern.search(error)
        if found and found["file"].startswith(root):
            return text, found["file"][len(root) :], int(found["line"])
    missing = _MISSING.search(error)
    if missing:
        text = text.split(" Make sure that you've specified", 1)[0]
        for name, content in sorted(files.items()):
            lines = content.decode("utf-8", errors="replace").splitlines()
            for number, line in enumerate(lines, start=1):
                if re.search(r"""["']""" + re.escape(missing["spec"]) + r"""["']""", line):
                    return f"{name} line {number}: {text}", name, number
    return text, None, None


def _refusal(output: str, folder: Path, files: dict[str, bytes]) -> ScriptInspection:
    messages = []
    for raw in output.splitlines():
        try:
            entry = json.loads(raw)
        except ValueError:
            if raw.strip():
                messages.append(raw.strip())
            continue
        if isinstance(entry, dict) and entry.get("level") in ("error", "fatal"):
            messages.append(str(entry.get("msg", "")))
    error = "; ".join(messages) or "k6 refused the script"
    text, file, line = _where(error, folder, files)
    if file is not None and line is not None and f"{file} line {line}" not in text:
        text = f"{file} line {line}: {text}"
    return ScriptInspection(ok=False, error=text[:4000], file=file, line=line)


def reading(options: dict[str, Any]) -> ScriptInspection:
    """The answer of k6's inspect output (its options, with execution requirements)."""
    scenarios = [
        InspectedScenario(
            name=name,
            executor=str(config.get("executor")),
            exec=str(config.get("exec") or "default"),
            options={k: v for k, v in config.items() if k not in _SCENARIO_OWN and v is not None},
        )
        for name, config in sorted((options.get("scenarios") or {}).items())
    ]
    return ScriptInspection(
        ok=True,
        scenarios=scenarios,
        thresholds={k: list(v) for k, v in (options.get("thresholds") or {}).items()},
        max_vus=options.get("maxVUs"),
        total_duration=options.get("totalDuration"),
    )


async def inspect(k6: str, script: OwnScriptFiles, seconds: float) -> ScriptInspection:
    """k6's reading of ``script``, or its refusal in words with the file and line."""
    try:
        files = unpack(script.archive)
    except BadArchive as error:
        return ScriptInspection(ok=False, error=f"the archive: {error}")
    if script.entry not in files:
        return ScriptInspection(ok=False, error=f"the archive has no file {script.entry!r}")
    with tempfile.TemporaryDirectory(prefix="mv-inspect-") as temporary:
        folder = Path(temporary) / "script"
        home = Path(temporary) / "home"
        home.mkdir()
        write(files, folder)
        try:
            process = await asyncio.create_subprocess_exec(
                k6,
                "inspect",
                "--log-format=json",
                "--execution-requirements",
                "--include-system-env-vars=false",
                script.entry,
                cwd=folder,
                env=_environment(home),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as error:
            return ScriptInspection(ok=False, error=f"k6 could not be started here: {error}")
        try:
            out, err = await asyncio.wait_for(process.communicate(), seconds)
        except TimeoutError:
            process.kill()
            await process.wait()
            return ScriptInspection(
                ok=False, error=f"k6 inspect did not end within {seconds:g} s (INSPECT_SECONDS)"
            )
        if process.returncode != 0:
            return _refusal(err.decode("utf-8", errors="replace"), folder, files)
        try:
            options = json.loads(out)
        except ValueError:
            return ScriptInspection(ok=False, error="k6 inspect answered no options")
        return reading(options)
