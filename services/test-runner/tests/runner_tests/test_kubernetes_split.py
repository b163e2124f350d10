"""A test split over 3 Kubernetes Jobs, against the real kube-apiserver and real k6 processes.

No kubelet runs here, so the test plays it: for each runner Job it creates the pod, reports it
Running with a pod IP (127.0.0.2-4: loopback addresses of the test's network namespace), and runs
the Job's own k6 arguments as a local process listening on that IP. The executor then reaches
each paused k6 the way it would in a cluster, by pod IP from the API server, and resumes them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from mv_contracts.lifecycle import RunStatus
from mv_test_runner.executors.base import StartError, job_name
from mv_test_runner.executors.kubernetes import KubernetesExecutor
from mv_test_runner.executors.manifests import RUN_LABEL, RUNNER_LABEL, SCRIPT_KEY
from mv_test_runner.script import generate_script

from .echo import EchoServer
from .requests import make_request, scenario
from .test_kubernetes_executor import (
    batch_api,
    core_api,
    executor,
    finish_job,
    kube_settings,
    namespace,
)

__all__ = ["executor", "namespace"]  # fixtures


def runner_jobs(api: Any, namespace: str, name: str) -> list[Any]:
    jobs = batch_api(api).list_namespaced_job(namespace, label_selector=f"{RUN_LABEL}={name}")
    return sorted(jobs.items, key=lambda j: j.metadata.name)


def k6_args(job: Any, address: str, script: Path) -> list[str]:
    """The Job's k6 arguments, run here: its API on ``address``, the script from the ConfigMap,
    without the InfluxDB output (the cluster's InfluxDB name does not resolve here)."""
    args: list[str] = list(job.spec.template.spec.containers[0].args)
    output = args.index("-o")
    del args[output : output + 2]
    args[args.index("--address") + 1] = address
    args[-1] = str(script)
    return args


async def play_kubelet(
    api: Any,
    namespace: str,
    name: str,
    k6: str,
    folder: Path,
    ips: list[str],
    before_last: Callable[[], Awaitable[None]] | None = None,
) -> list[asyncio.subprocess.Process]:
    """Pods for the run's Jobs, Running at ``ips``, each with the Job's k6 as a process;
    ``before_last`` is awaited before the last runner's pod is created."""
    core = core_api(api)
    for _ in range(100):
        jobs = runner_jobs(api, namespace, name)
        if len(jobs) == len(ips):
            break
        await asyncio.sleep(0.1)
    configmap = core.read_namespaced_config_map(name, namespace)
    script = folder / "script.js"
    script.write_text(configmap.data[SCRIPT_KEY])
    processes = []
    for job, ip in zip(jobs, ips, strict=True):
        runner = job.metadata.name
        if before_last is not None and runner == jobs[-1].metadata.name:
            await before_last()
        pod = {
            "metadata": {
                "name": f"{runner}-pod",
                "labels": {RUN_LABEL: name, RUNNER_LABEL: runner},
            },
            "spec": {"restartPolicy": "Never", "containers": [{"name": "k6", "image": "k6"}]},
        }
        core.create_namespaced_pod(namespace, pod)
        processes.append(
            await asyncio.create_subprocess_exec(
                k6,
                *k6_args(job, f"{ip}:6565", script),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        )
        status = {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]}
        core.patch_namespaced_pod_status(f"{runner}-pod", namespace, {"status": status})
    return processes


def terminate(api: Any, namespace: str, runner: str, code: int) -> None:
    state = {"terminated": {"exitCode": code, "reason": "Completed" if code == 0 else "Error"}}
    container = {
        "name": "k6", "image": "k6", "imageID": "", "ready": False, "restartCount": 0,
        "state": state,
    }  # fmt: skip
    status = {"phase": "Succeeded" if code == 0 else "Failed", "containerStatuses": [container]}
    core_api(api).patch_namespaced_pod_status(f"{runner}-pod", namespace, {"status": status})


async def test_three_runner_jobs_start_together_and_end_as_one(
    executor: KubernetesExecutor,
    kube_api: Any,
    namespace: str,
    k6: str,
    echo: EchoServer,
    tmp_path: Path,
) -> None:
    test_id = str(uuid.uuid4())
    name = job_name(test_id)
    load = scenario("a", "constant-vus", vus=3, duration="1s")
    request = make_request(echo.url, load, test_id=test_id, parallelism=3)
    ips = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    sent_while_two_waited: list[int] = []

    async def two_runners_wait() -> None:
        await asyncio.sleep(2)  # runners 1 and 2 are up, paused: they must send nothing
        sent_while_two_waited.append(len(echo.requests))

    kubelet = asyncio.create_task(
        play_kubelet(kube_api, namespace, name, k6, tmp_path, ips, two_runners_wait)
    )
    started = await executor.start(request, generate_script(request))
    processes = await kubelet
    try:
        assert [r.name for r in started.runners] == [f"{name}-{i}" for i in (1, 2, 3)]
        codes = await asyncio.wait_for(asyncio.gather(*(p.wait() for p in processes)), 30)
        assert echo.requests  # resumed: they sent (read once they ended: sending takes a moment)
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
    assert codes == [0, 0, 0]
    assert sent_while_two_waited == [0]  # paused until the third runner's pod ran too
    assert await executor.is_running(test_id)
    for runner in started.runners:
        terminate(kube_api, namespace, runner.name, 0)
        finish_job(kube_api, namespace, runner.name, "Complete", "CompletionsReached")
    outcome = await asyncio.wait_for(executor.wait(test_id), 30)
    assert outcome.status is RunStatus.SUCCEEDED
    assert not await executor.is_running(test_id)


async def test_one_failed_runner_fails_the_test_and_stops_the_others(
    executor: KubernetesExecutor, kube_api: Any, namespace: str, k6: str, tmp_path: Path
) -> None:
    test_id = str(uuid.uuid4())
    name = job_name(test_id)
    load = scenario("a", "constant-vus", vus=3, duration="30s")
    request = make_request("http://127.0.0.1:9", load, test_id=test_id, parallelism=3)
    ips = ["127.0.0.5", "127.0.0.6", "127.0.0.7"]
    kubelet = asyncio.create_task(play_kubelet(kube_api, namespace, name, k6, tmp_path, ips))
    started = await executor.start(request, generate_script(request))
    processes = await kubelet
    try:
        second = started.runners[1].name
        terminate(kube_api, namespace, second, 107)
        finish_job(kube_api, namespace, second, "Failed", "BackoffLimitExceeded")
        outcome = await asyncio.wait_for(executor.wait(test_id), 30)
    finally:
        for process in processes:
            process.kill()
    assert outcome.status is RunStatus.FAILED
    assert outcome.reason == f"runner 2/3 ({second}): script error (exit code 107)"
    # The two others were deleted (a cluster's Job controller then removes their pods).
    assert [j.metadata.name for j in runner_jobs(kube_api, namespace, name)] == [second]


async def test_runners_without_pods_fail_the_start_and_their_jobs_are_deleted(
    executor: KubernetesExecutor, kube_api: Any, namespace: str
) -> None:
    test_id = str(uuid.uuid4())
    name = job_name(test_id)
    request = make_request(
        "http://127.0.0.1:9", scenario("a", "constant-vus"), test_id=test_id, parallelism=2
    )
    quick = KubernetesExecutor(
        kube_settings(namespace).model_copy(update={"runner_ready_seconds": 1})
    )
    with pytest.raises(StartError, match=rf"runner 1/2 \({name}-1\) had no running pod within 1 s"):
        await quick.start(request, generate_script(request))
    assert [j.metadata.name for j in runner_jobs(kube_api, namespace, name)] == []
