"""One k6 everywhere: the version ``mv_test_runner.settings.K6_VERSION`` states is the one
scripts/bootstrap.sh builds for the tests, the one the k6 on this machine reports, and the tag of
the Job image (settings, Helm values, README) and of the compose image (Dockerfile). The outputs
and options chosen for the metrics path are proven on the k6 the tests run, so a drift between
them fails here rather than in a cluster."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from mv_devstack.config import REPO_ROOT, StackConfig
from mv_test_runner.settings import K6_VERSION, Settings

IMAGE = f"grafana/k6:{K6_VERSION}"


def _one(pattern: str, text: str, where: str) -> str:
    found = re.findall(pattern, text, flags=re.MULTILINE)
    assert len(found) == 1, f"{where}: {found}"
    return str(found[0])


def test_bootstrap_builds_the_stated_version() -> None:
    script = (REPO_ROOT / "scripts/bootstrap.sh").read_text("utf-8")
    assert _one(r"^K6_VERSION=v(\S+)$", script, "scripts/bootstrap.sh") == K6_VERSION


def test_the_k6_the_tests_run_is_the_stated_version() -> None:
    binary = StackConfig().k6_binary()
    if binary is None:
        pytest.fail("k6 is not installed: run scripts/bootstrap.sh")
    out = subprocess.run([binary, "version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith(f"k6 v{K6_VERSION} "), out


def test_every_image_carries_the_stated_version() -> None:
    assert Settings.model_fields["k6_image"].default == IMAGE
    values = yaml.safe_load((REPO_ROOT / "deploy/helm/metric-vault/values.yaml").read_text())
    assert values["testRunner"]["k6Image"] == IMAGE
    dockerfile = (REPO_ROOT / "Dockerfile").read_text("utf-8")
    assert _one(r"^ARG K6_IMAGE=(grafana/k6:\S+)$", dockerfile, "Dockerfile") == IMAGE
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    assert _one(r"^\| `testRunner.k6Image` \| `([^`]+)` \|", readme, "README.md") == IMAGE
