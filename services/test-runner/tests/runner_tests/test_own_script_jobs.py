"""A team's own script as a Kubernetes Job: its files, modules and data beside the entry, each
mounted at its path from one ConfigMap (or written to the claim in the PVC mode); k6's summary
export on its standard output, read back from the log of a real k6 whose ``handleSummary`` is
its own. The run on a real cluster: tests/cluster/test_own_script_job.py."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mv_contracts.runs import MetricsMode
from mv_test_runner.executors.base import StartError
from mv_test_runner.executors.kubernetes import KubernetesExecutor, job_options
from mv_test_runner.executors.manifests import (
    CONFIGMAP_MAX_BYTES,
    CONFIGMAP_MOUNT,
    OwnFiles,
    run_manifests,
)
from mv_test_runner.ownscript import own_script
from mv_test_runner.script import GeneratedScript
from mv_test_runner.script.counts import exported_counts, exported_in_log
from mv_test_runner.settings import Settings

from .test_manifests import valid
from .test_own_scripts import FILES, own_request


def manifests(settings: Settings, own: OwnFiles, parallelism: int = 1) -> Any:
    return run_manifests(
        "k6-own", "own-1", job_options(settings), "", {}, parallelism=parallelism, own=own
    )


def test_every_file_is_mounted_at_its_path_and_k6_runs_the_entry(settings: Settings) -> None:
    run = manifests(settings, OwnFiles(FILES, "main.js"), parallelism=2)
    for manifest in [run.configmap, *run.jobs]:
        valid(manifest)
    data = run.configmap["binaryData"]
    volume = run.jobs[0]["spec"]["template"]["spec"]["volumes"][0]["configMap"]
    mounted = {item["path"]: base64.b64decode(data[item["key"]]) for item in volume["items"]}
    assert mounted == FILES  # modules and data files keep their layout beside the entry
    for job in run.jobs:
        args = job["spec"]["template"]["spec"]["containers"][0]["args"]
        assert args[-1] == run.script_path == f"{CONFIGMAP_MOUNT}/main.js"
        assert args[-3:-1] == ["--summary-export", "/dev/stdout"]


def test_the_pvc_mode_gives_the_files_a_folder_of_the_run(settings: Settings) -> None:
    pvc = settings.model_copy(update={"k6_script_storage": "pvc"})
    run = manifests(pvc, OwnFiles(FILES, "main.js"))
    assert run.configmap is None
    assert run.script_path == f"{pvc.k6_script_file_folder}/k6-own/main.js"


async def test_files_a_configmap_cannot_hold_are_refused_in_words(settings: Settings) -> None:
    request = own_request("http://127.0.0.1:9", MetricsMode.FAST)
    script = own_script(request)
    big = {**script.own_files, "data/big.bin": b"x" * CONFIGMAP_MAX_BYTES}
    oversized = GeneratedScript(text=script.text, own_files=big, entry=script.entry)
    # Said before anything is made in the cluster: the settings point at none.
    with pytest.raises(StartError, match=r"1\.0 MiB and a Kubernetes ConfigMap at most 1 MiB"):
        await KubernetesExecutor(settings).start(request, oversized)


def test_the_counts_of_an_own_handle_summary_come_from_the_export_in_the_log(
    k6: str, tmp_path: Path
) -> None:
    # A real k6, its output through a pipe as a container's is: the script's own summary
    # printed first, k6's export after it, log lines around.
    script = tmp_path / "main.js"
    script.write_text(
        'import { Counter } from "k6/metrics";\n'
        "export const options = { scenarios: { only: { executor: 'shared-iterations', "
        "iterations: 3, exec: 'only' } }, thresholds: { 'http_reqs{scenario:only}': "
        "['count>=0'] } };\n"
        "export function only() { console.log('{'); }\n"
        "export function handleSummary() { return { stdout: '{\\nmine\\n}\\n' }; }\n"
    )
    done = subprocess.run(
        [k6, "run", "--no-color", "--summary-export", "/dev/stdout", str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=True,
        timeout=60,
    )
    counts = exported_counts(exported_in_log(done.stdout))
    assert counts is not None, done.stdout
    assert (counts.overall.requests, counts.overall.failed) == (0, 0)
    assert counts.scenarios["only"].requests == 0


def test_a_log_without_an_export_has_no_counts() -> None:
    assert exported_in_log('time="..." level=info msg="{"\n{\nnot closed') == ""
    assert exported_counts(exported_in_log("{\nmine\n}")) is None
