"""The Kubernetes executor: the run as a ConfigMap (or PVC file), a Secret and a Job.

Manifests come from the pure functions of :mod:`.manifests`, and what a Job's status means from
those of :mod:`.outcomes`; this module only makes the API calls, with the official
``kubernetes`` client run in a thread (``asyncio.to_thread``) so the event loop never blocks.
Jobs are followed with the watch API, falling back to polling every SCHEDULER_POLL_INTERVAL
when a watch breaks.

The ConfigMap and Secret get the Job as their owner once it exists, so the garbage collector
removes them with it (TTL after the run, or a cancel). Tested against a real kube-apiserver
(scripts/kube-apiserver.sh) in tests/runner_tests/test_kubernetes_executor.py.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import structlog

from mv_contracts.runs import K6Counts, TestRunRequest
from mv_test_runner.script import GeneratedScript
from mv_test_runner.script.counts import parse_counts
from mv_test_runner.settings import Settings

from . import outcomes
from .base import Started, StartError, job_name
from .manifests import RUN_LABEL, JobOptions, owner_patch, run_manifests
from .outcomes import Outcome

log = structlog.get_logger()
# k6's counts line comes after its run and before its end-of-test summary text; a summary is
# about 30 lines plus 6 per scenario (at most 100), so this many last lines always hold it.
LOG_TAIL_LINES = 2000


def job_options(settings: Settings) -> JobOptions:
    return JobOptions(
        namespace=settings.kubernetes_namespace,
        image=settings.k6_image,
        influxdb_output_url=settings.influxdb_output_url,
        output_env=settings.influxdb_output_env(),
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
        run = run_manifests(name, request.test_id, self._options, script.text, script.secrets)
        created: list[Any] = []  # delete functions of what this start created
        try:
            core, batch = await asyncio.to_thread(self._clients)
            if run.configmap is None:
                await asyncio.to_thread(Path(run.script_path).write_text, script.text, "utf-8")
            else:
                await asyncio.to_thread(core.create_namespaced_config_map, namespace, run.configmap)
                created.append(core.delete_namespaced_config_map)
            if run.secret is not None:
                await asyncio.to_thread(core.create_namespaced_secret, namespace, run.secret)
                created.append(core.delete_namespaced_secret)
            made = await asyncio.to_thread(batch.create_namespaced_job, namespace, run.job)
        except Exception as error:  # the API's errors are many; all mean "could not start"
            for delete in created:
                await asyncio.to_thread(_quietly, delete, name, namespace)
            raise StartError(f"Kubernetes refused the run {name}: {error}") from error
        owner = owner_patch(name, made.metadata.uid)
        try:  # the run goes on without it; only the clean-up would be left undone
            if run.configmap is not None:
                await asyncio.to_thread(core.patch_namespaced_config_map, name, namespace, owner)
            if run.secret is not None:
                await asyncio.to_thread(core.patch_namespaced_secret, name, namespace, owner)
        except Exception as error:
            log.warning(
                "could not make the Job own its ConfigMap/Secret", job=name, error=str(error)
            )
        return Started(name, run.script_path, datetime.now(UTC))

    async def _job_status(self, name: str) -> dict[str, Any] | None:
        _, batch = await asyncio.to_thread(self._clients)
        job = await asyncio.to_thread(
            batch.read_namespaced_job_status, name, self._options.namespace
        )
        status: dict[str, Any] = job.to_dict().get("status") or {}
        return status

    async def _pods(self, name: str) -> list[dict[str, Any]]:
        core, _ = await asyncio.to_thread(self._clients)
        pods = await asyncio.to_thread(
            core.list_namespaced_pod, self._options.namespace, label_selector=f"{RUN_LABEL}={name}"
        )
        return [pod.to_dict() for pod in pods.items]

    async def _watch_once(self, name: str) -> None:
        """Block (in a thread) until the Job changes or the watch times out."""
        from kubernetes import watch

        _, batch = await asyncio.to_thread(self._clients)

        def follow() -> None:
            stream = watch.Watch().stream(  # type: ignore[no-untyped-call]
                batch.list_namespaced_job,
                self._options.namespace,
                field_selector=f"metadata.name={name}",
                timeout_seconds=max(1, round(self._settings.scheduler_poll_interval)),  # 0: none
            )
            for _event in stream:
                return

        await asyncio.to_thread(follow)

    async def wait(self, test_id: str) -> Outcome:
        name = job_name(test_id)
        while True:
            try:
                status = await self._job_status(name)
            except Exception as error:
                if getattr(error, "status", None) == 404:
                    return outcomes.job_gone(name)
                raise
            pods = await self._pods(name)
            outcome = outcomes.from_job(status, outcomes.k6_container(pods))
            if outcome is not None:
                return outcome
            for pod in pods:
                stuck = outcomes.pod_cannot_start(pod)
                if stuck is not None:
                    await self.stop(test_id)
                    return stuck
            try:
                await self._watch_once(name)
            except Exception as error:  # a broken watch: poll instead
                log.warning("job watch failed, polling", job=name, error=str(error))
                await asyncio.sleep(self._settings.scheduler_poll_interval)

    async def stop(self, test_id: str) -> None:
        _, batch = await asyncio.to_thread(self._clients)
        try:
            await asyncio.to_thread(
                batch.delete_namespaced_job,
                job_name(test_id),
                self._options.namespace,
                propagation_policy="Background",
            )
        except Exception as error:
            if getattr(error, "status", None) != 404:  # no Job (not yet, or no more): nothing runs
                raise

    async def counts(self, test_id: str) -> K6Counts | None:
        """From the k6 container's log (``pods/log``), while the ended Job's pod is kept."""
        name = job_name(test_id)
        try:
            pods = await self._pods(name)
            core, _ = await asyncio.to_thread(self._clients)
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
                return parse_counts(text)
        except Exception as error:  # no counts only means the figures go unchecked
            log.warning("could not read k6's counts from the pod log", job=name, error=str(error))
        return None

    async def is_running(self, test_id: str) -> bool:
        try:
            status = await self._job_status(job_name(test_id))
        except Exception:
            return False
        return outcomes.from_job(status, None) is None
