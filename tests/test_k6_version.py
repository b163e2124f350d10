"""One k6 everywhere: ``mv_test_runner/k6-version.txt`` states it once; the test-runner's default
Job image, scripts/bootstrap.sh (the k6 the tests run) and the cluster's k6 image read that file,
and the Helm chart leaves the image to the test-runner's default. What cannot read a file is
held to it here: the k6 on this machine and the Dockerfile's default base. The outputs and
options chosen for the metrics path are proven on the k6 the tests run, so a drift fails here
rather than in a cluster."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from mv_devstack.config import REPO_ROOT, StackConfig
from mv_test_runner.settings import K6_VERSION, Settings

VERSION_FILE = "services/test-runner/src/mv_test_runner/k6-version.txt"


def test_the_scripts_and_the_chart_read_the_one_version() -> None:
    assert Settings.model_fields["k6_image"].default == f"grafana/k6:{K6_VERSION}"
    for script in ("scripts/bootstrap.sh", "scripts/cluster/images.sh"):
        text = (REPO_ROOT / script).read_text("utf-8")
        assert VERSION_FILE in text, script
        assert K6_VERSION not in text, f"{script} states the version itself"
    values = yaml.safe_load((REPO_ROOT / "deploy/helm/metric-vault/values.yaml").read_text())
    assert values["testRunner"]["k6Image"] == ""


def test_the_k6_the_tests_run_is_the_stated_version() -> None:
    binary = StackConfig().k6_binary()
    if binary is None:
        pytest.fail("k6 is not installed: run scripts/bootstrap.sh")
    out = subprocess.run([binary, "version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith(f"k6 v{K6_VERSION} "), out


def test_the_dockerfile_base_is_the_stated_version() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text("utf-8")
    found = re.findall(r"^ARG K6_IMAGE=(grafana/k6:\S+)$", dockerfile, flags=re.MULTILINE)
    assert found == [f"grafana/k6:{K6_VERSION}"]
