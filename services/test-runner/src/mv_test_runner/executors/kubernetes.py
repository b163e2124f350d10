"""The Kubernetes executor: the run as a ConfigMap (or PVC file), a Secret and a Job.

Manifests come from the pure functions of :mod:`.manifests`, and what a Job's status means from
those of :mod:`.outcomes`; this module only makes the API calls, with the official
``kubernetes`` client run in a thread (``asyncio.to_thread``) so the event loop never blocks.
Jobs are followed with the watch API, falling back to polling every SCHEDULER_POLL_INTERVAL
when a watch breaks.

The ConfigMap and Secret get the Job as their owner once it exists, so the garbage collector
removes them with it (TTL after the run, or a cancel). A test split over N runners is N Jobs
found by their shared ``RUN_LABEL``: once each has a Running pod, its k6 (paused) is reached at
``<pod IP>:K6_API_PORT`` and all are resumed together (:mod:`.together`); the test ends when all
Jobs have, or as soon as one fails (the others are then deleted). Tested against a real
kube-apiserver (scripts/kube-apiserver.sh) in tests/runner_tests/test_kubernetes_executor.py.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import structlog

from mv_contracts.lifecycle import K6Counts, RunnerInfo, RunStatus
from mv_contracts.runs import MetricsMode, TestRunRequest
from mv_runtime import scriptfiles
from mv_test_runner.script import GeneratedScript
from mv_test_runner.script.counts import (
    exported_counts,
    exported_in_log,
    parse_counts,
    summed,
)
from mv_test_runner.settings import Settings

from . import outcomes, segments
from .base import Started, StartError, job_name
from .manifests import (
    RUN_LABEL,
    RUNNER_LABEL,
    JobOptions,
    OwnFiles,
    own_folder,
    owner_patch,
    run_manifests,
)
from .outcomes import Outcome
from .together import NotReady, Runner, start_together

log = structlog.get_logger()
# k6's counts line comes after its run and before its end-of-test summary text; a summary is
# about 30 lines plus 6 per scenario (at most 100), so this many last lines always hold it.
LOG_TAIL_LINES = 2000
READY_POLL_SECONDS = 0.5


def job_options(settings: Settings) -> JobOptions:
    return JobOptions(
        namespace=settings.kubernetes_namespace,
        image=settings.k6_image,
        outputs={mode: settings.k6_output(mode) for mode in MetricsMode},
        timeout_hours=settings.scheduler_job_timeout_hours,
        auto_delete=settings.auto_delete_completed_jobs,
        storage=settings.k6_script_storage,
        script_folder=str(settings.k6_script_file_folder),
        pvc=settings.k6_default_pvc,
        dashboard=settings.k6_web_dashboard,
        cpu_request=settings.k6_cpu_request,
        cpu_limit=settings.k6_cpu_limit,
        memory_request=settings.k6_memory_request,
        memory_limit=settings.k6_memory_limit,
        api_port=settings.k6_api_port,
    )


def _quietly(delete: Any, name: str, namespace: str) -> None:
    try:
        delete(name, namespace)
    except Exception as error:  # cleanup after a refused start: the refusal is what matters
        log.warning("cleanup failed", name=name, error=str(error))


class KubernetesExecutor:
    kind: Literal["local", "kubernetes"] = "kubernetes"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._options = job_options(settings)
        self._api: Any = None
        self._listed: dict[str, dict[str, str]] = {}  # run -> Job name -> resource version

    def _clients(self) -> tuple[Any, Any]:
        from kubernetes import client, config  # imported lazily: the local default needs neither

        if self._api is None:
            # A client of its own (no global default); KUBECONFIG is read now, not at import.
            try:
                configuration = client.Configuration()
                config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
                self._api = client.ApiClient(configuration)
            except config.ConfigException:
                self._api = config.new_client_from_config(  # type: ignore[no-untyped-call]
                    config_file=os.environ.get("KUBECONFIG")
                )
        return client.CoreV1Api(self._api), client.BatchV1Api(self._api)

    async def start(self, request: TestRunRequest, script: GeneratedScript) -> Started:
        name = job_name(request.test_id)
        namespace = self._options.namespace
        own = OwnFiles(script.own_files, script.entry) if script.own_files else None
        try:
            run = run_manifests(
                name,
                request.test_id,
                self._options,
                script.text,
                script.secrets,
                parallelism=request.parallelism,
                one_per_node=request.one_runner_per_node,
                metrics_mode=request.metrics_mode,
                files=script.files,
                own=own,
            )
        except ValueError as error:
            raise StartError(str(error)) from error
        created: list[tuple[Any, str]] = []  # delete function and name of what this start made
        made: list[Any] = []
        try:
            core, batch = await asyncio.to_thread(self._clients)
            if run.configmap is None and own is not None:  # its folder <name>/ on the claim
                folder = Path(own_folder(name, self._options))
                await asyncio.to_thread(scriptfiles.write, own.files, folder)
            elif run.configmap is None:
                await asyncio.to_thread(Path(run.script_path).write_text, script.text, "utf-8")
                # A data file never changes (a new upload is a new id): one copy serves all runs.
                for file_name, content in script.files.items():
                    beside = Path(run.script_path).with_name(file_name)
                    await asyncio.to_thread(beside.write_text, content, "utf-8")
            else:
                await asyncio.to_thread(core.create_namespaced_config_map, namespace, run.configmap)
                created.append((core.delete_namespaced_config_map, name))
            if run.secret is not None:
                await asyncio.to_thread(core.create_namespaced_secret, namespace, run.secret)
                created.append((core.delete_namespaced_secret, name))
            for job in run.jobs:
                made.append(await asyncio.to_thread(batch.create_namespaced_job, namespace, job))
                created.append((batch.delete_namespaced_job, job["metadata"]["name"]))
        except Exception as error:  # the API's errors are many; all mean "could not start"
            for delete, created_name in created:
                await asyncio.to_thread(_quietly, delete, created_name, namespace)
            raise StartError(f"Kubernetes refused the run {name}: {error}") from error
        owners = [(m.metadata.name, m.metadata.uid) for m in made]
        owner = owner_patch(*owners[0], *owners[1:])
        try:  # the run goes on without it; only the clean-up would be left undone
            if run.configmap is not None:
                await asyncio.to_thread(core.patch_namespaced_config_map, name, namespace, owner)
            if run.secret is not None:
                await asyncio.to_thread(core.patch_namespaced_secret, name, namespace, owner)
        except Exception as error:
            log.warning(
                "could not make the Job own its ConfigMap/Secret", job=name, error=str(error)
            )
        runners: list[RunnerInfo] = []
        if request.parallelism > 1:
            runners = segments.runners(name, request.parallelism)
            try:
                await self._start_together(name, runners)
            except NotReady as error:
                await self.stop(request.test_id)
                raise StartError(str(error)) from error
        return Started(name, run.script_path, datetime.now(UTC), runners)

    async def _start_together(self, name: str, runners: list[RunnerInfo]) -> None:
        """Once every runner's pod is Running with an IP, resume all their k6 together."""
        count = len(runners)
        clock = asyncio.get_running_loop()
        deadline = clock.time() + self._settings.runner_ready_seconds
        apis = {r.name: Runner(r.index, r.name, "") for r in runners}
        while True:
            ips: dict[str, str] = {}
            for pod in await self._pods(name):
                label = ((pod.get("metadata") or {}).get("labels") or {}).get(RUNNER_LABEL)
                runner = apis.get(str(label))
                if runner is None:
                    continue
                stuck = outcomes.pod_cannot_start(pod)
                if stuck is not None:
                    raise NotReady(runner, count, f"cannot start: {stuck.reason}")
                status = pod.get("status") or {}
                if status.get("phase") == "Running" and status.get("pod_ip"):
                    ips[runner.name] = status["pod_ip"]
            if len(ips) == count:
                break
            if clock.time() > deadline:
                late = next(r for n, r in apis.items() if n not in ips)
                raise NotReady(
                    late,
                    count,
                    f"had no running pod within {self._settings.runner_ready_seconds:g} s "
                    "(RUNNER_READY_SECONDS)",
                )
            await asyncio.sleep(READY_POLL_SECONDS)
        port = self._options.api_port
        ready = [Runner(r.index, r.name, f"http://{ips[r.name]}:{port}") for r in apis.values()]

        async def ended(runner: Runner) -> str | None:
            pods = [
                p
                for p in await self._pods(name)
                if (p["metadata"].get("labels") or {}).get(RUNNER_LABEL) == runner.name
            ]
            k6 = outcomes.k6_container(pods)
            if k6 is not None:
                return outcomes.from_exit(k6.exit_code, k6.message).reason or "k6 ended"
            if any((p.get("status") or {}).get("phase") in ("Succeeded", "Failed") for p in pods):
                return "its pod ended"
            return None

        await start_together(ready, ended, max(deadline - clock.time(), READY_POLL_SECONDS))

    async def _jobs(self, name: str) -> list[dict[str, Any]]:
        """The Jobs of the run ``name`` (one, or one per runner), by name."""
        _, batch = await asyncio.to_thread(self._clients)
        jobs = await asyncio.to_thread(
            batch.list_namespaced_job, self._options.namespace, label_selector=f"{RUN_LABEL}={name}"
        )
        found = [job.to_dict() for job in jobs.items]
        return sorted(found, key=lambda j: _runner_order(j["metadata"]["name"]))

    async def _pods(self, name: str) -> list[dict[str, Any]]:
        core, _ = await asyncio.to_thread(self._clients)
        pods = await asyncio.to_thread(
            core.list_namespaced_pod, self._options.namespace, label_selector=f"{RUN_LABEL}={name}"
        )
        return [pod.to_dict() for pod in pods.items]

    async def _watch_once(self, name: str) -> None:
        """Block (in a thread) until a Job of the run changes from what :meth:`_ended` last
        listed, or the watch times out.

        The watch starts at resource version "0", from the API server's cache: one with none
        asks for the newest state, which waits for that cache to reach etcd's newest revision
        and, with an etcd that does not report progress (Debian's 3.4), fails with "Too large
        resource version". Either way a watch opens with an ADDED event per existing Job; those
        whose version is the listed one are not changes.
        """
        from kubernetes import watch

        _, batch = await asyncio.to_thread(self._clients)
        listed = self._listed.get(name, {})

        def follow() -> None:
            stream = watch.Watch().stream(  # type: ignore[no-untyped-call]
                batch.list_namespaced_job,
                self._options.namespace,
                label_selector=f"{RUN_LABEL}={name}",
                resource_version="0",
                timeout_seconds=max(1, round(self._settings.scheduler_poll_interval)),  # 0: none
            )
            for event in stream:
                job = event["object"]
                if listed.get(job.metadata.name) != job.metadata.resource_version:
                    return

        await asyncio.to_thread(follow)

    async def _ended(self, name: str) -> tuple[list[tuple[str, Outcome | None]], bool]:
        """Each runner's outcome (None while it runs), and whether every Job ended by itself
        (False also when a pod that cannot start decided a runner's outcome: its Job runs on)."""
        jobs = await self._jobs(name)
        self._listed[name] = {
            job["metadata"]["name"]: job["metadata"]["resource_version"] for job in jobs
        }
        pods = await self._pods(name)
        found: list[tuple[str, Outcome | None]] = []
        all_done = True
        for job in jobs:
            runner = job["metadata"]["name"]
            mine = [
                p
                for p in pods
                if len(jobs) == 1 or (p["metadata"].get("labels") or {}).get(RUNNER_LABEL) == runner
            ]
            # A pod deleted mid-test is gone (or going) by the time its Job has failed.
            deleted = not mine or any(p["metadata"].get("deletion_timestamp") for p in mine)
            outcome = outcomes.from_job(
                job.get("status"), outcomes.k6_container(mine), pod_deleted=deleted
            )
            if outcome is None:
                all_done = False
                outcome = next(filter(None, map(outcomes.pod_cannot_start, mine)), None)
            found.append((runner, outcome))
        return found, all_done

    async def wait(self, test_id: str) -> Outcome:
        name = job_name(test_id)
        try:
            return await self._wait(name)
        finally:
            self._listed.pop(name, None)

    async def _wait(self, name: str) -> Outcome:
        while True:
            runners, all_done = await self._ended(name)
            if not runners:
                return outcomes.job_gone(name)
            ended = [(runner, o) for runner, o in runners if o is not None]
            failed = [
                o
                for _, o in ended
                if o.status is not RunStatus.SUCCEEDED and not o.thresholds_crossed
            ]
            if len(ended) == len(runners) or failed:
                if not all_done:  # a runner failed or cannot start: the test has, stop the rest
                    # (a Job that ended stays, with its pod's log, until its TTL)
                    await self._delete(
                        [r for r, o in runners if o is None] or [r for r, _ in runners]
                    )
                return outcomes.combined(runners)
            try:
                await self._watch_once(name)
            except Exception as error:  # a broken watch: poll instead
                log.warning("job watch failed, polling", job=name, error=str(error))
                await asyncio.sleep(self._settings.scheduler_poll_interval)

    async def stop(self, test_id: str) -> None:
        await self._delete([job["metadata"]["name"] for job in await self._jobs(job_name(test_id))])

    async def _delete(self, jobs: list[str]) -> None:
        _, batch = await asyncio.to_thread(self._clients)
        for job in jobs:
            try:
                await asyncio.to_thread(
                    batch.delete_namespaced_job,
                    job,
                    self._options.namespace,
                    propagation_policy="Background",
                )
            except Exception as error:
                if getattr(error, "status", None) != 404:  # gone meanwhile: nothing runs
                    raise

    async def counts(self, test_id: str) -> K6Counts | None:
        """From each k6 container's log (``pods/log``), while the ended Jobs' pods are kept:
        the marked line of a generated script, else (an own script) the summary export k6
        wrote to its standard output; summed over the runners of a split test."""
        name = job_name(test_id)
        try:
            pods = await self._pods(name)
            core, _ = await asyncio.to_thread(self._clients)
            found: list[K6Counts | None] = []
            runners = {(p["metadata"].get("labels") or {}).get(RUNNER_LABEL) for p in pods}
            for pod in pods:
                if outcomes.k6_container([pod]) is None:
                    continue
                text = await asyncio.to_thread(
                    core.read_namespaced_pod_log,
                    pod["metadata"]["name"],
                    self._options.namespace,
                    container="k6",
                    tail_lines=LOG_TAIL_LINES,
                )
                found.append(parse_counts(text) or exported_counts(exported_in_log(text)))
                if runners == {None}:  # one runner: its first ended pod is the run
                    break
            if len(found) < len(runners):
                return None  # a runner without an ended pod: its count is unknown
            return summed(found)
        except Exception as error:  # no counts only means the figures go unchecked
            log.warning("could not read k6's counts from the pod log", job=name, error=str(error))
        return None

    async def is_running(self, test_id: str) -> bool:
        try:
            runners, _ = await self._ended(job_name(test_id))
        except Exception:
            return False
        return any(o is None for _, o in runners)


def _runner_order(name: str) -> int:
    tail = name.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0
