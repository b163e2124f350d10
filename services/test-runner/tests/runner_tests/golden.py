"""Golden files: the whole expected output, kept under ``golden/`` and compared in full.

When a change of the output is intended, regenerate every file with one command (from the
repository root) and review the diff before committing it:

    MV_UPDATE_GOLDEN=1 uv run --no-sync pytest services/test-runner -k golden
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = "MV_UPDATE_GOLDEN=1 uv run --no-sync pytest services/test-runner -k golden"


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the script in a ConfigMap) as ``|`` blocks, readable in a diff."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def updating() -> bool:
    return os.environ.get("MV_UPDATE_GOLDEN") == "1"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _expected(path: Path) -> bytes:
    assert path.exists(), f"{path} is missing; to create it: {REGENERATE}"
    return path.read_bytes()


def check_bytes(relative: str, actual: str) -> None:
    """``actual`` encoded as UTF-8 must be the golden file, byte for byte."""
    path = GOLDEN / relative
    if updating():
        _write(path, actual.encode("utf-8"))
        return
    # Compared as text first for a readable diff; strict UTF-8 makes that a byte comparison.
    expected = _expected(path).decode("utf-8")
    assert actual == expected, f"differs from {path}; if intended: {REGENERATE}"


def check_yaml(relative: str, documents: list[dict[str, Any]], header: str) -> None:
    """``documents`` must equal the golden multi-document YAML file, every field of them."""
    path = GOLDEN / relative
    if updating():
        comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
        body = yaml.dump_all(
            documents, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
        )
        _write(path, (comment + f"# Regenerate: {REGENERATE}\n" + body).encode("utf-8"))
        return
    expected = list(yaml.safe_load_all(_expected(path).decode("utf-8")))
    assert documents == expected, f"differs from {path}; if intended: {REGENERATE}"


def files(folder: str) -> set[str]:
    """The golden files of ``folder``, so a test can tell a stale one from a missing case."""
    return {p.name for p in (GOLDEN / folder).iterdir()} if (GOLDEN / folder).exists() else set()
