"""Spec-analyzer fixtures: the corpus, swagger-ui-dist and real local HTTP servers."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from mv_spec_analyzer.analysing import Analyzer
from mv_spec_analyzer.settings import Settings

from .servers import LocalServer

HERE = Path(__file__).parent.parent
SWAGGER_UI_DIST = "swagger-ui-dist@5.35.0"


def load_fetch() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_fetch", HERE / "corpus" / "fetch.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def corpus() -> dict[str, Path]:
    """The corpus documents in the cache, fetched from the registries the first time."""
    paths: dict[str, Path] = load_fetch().ensure_corpus()
    return paths


@pytest.fixture(scope="session")
def swagger_ui_dist() -> Path:
    """swagger-ui-dist from npm, unpacked once into the cache."""
    root = Path(os.environ.get("MV_CACHE_DIR") or Path.home() / ".cache" / "metric-vault")
    target = root / "npm" / SWAGGER_UI_DIST.replace("@", "-")
    if not (target / "index.html").exists():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                ["npm", "pack", "--silent", SWAGGER_UI_DIST, "--pack-destination", tmp],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            with tarfile.open(next(Path(tmp).glob("*.tgz"))) as tar:
                # Python 3.11.2 (Debian 12's) has no extraction filters: plain files and
                # folders inside the target only, checked here.
                members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]
                for member in members:
                    if member.name.startswith("/") or ".." in Path(member.name).parts:
                        raise ValueError(f"{SWAGGER_UI_DIST}: {member.name!r} leaves the folder")
                tar.extractall(tmp, members=members)  # noqa: S202 (members checked above)
            target.parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / "package").rename(target)
    return target


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"spec_fetch_timeout": 5.0}
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture
def analyzer() -> Analyzer:
    return Analyzer(make_settings())
