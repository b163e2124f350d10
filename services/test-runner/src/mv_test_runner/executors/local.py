"""The local executor: a k6 process on this machine (the embedded default), its output chosen by
the request's metrics mode (:meth:`Settings.k6_output`: the receiver, or InfluxDB).

Each run has a directory ``<K6_SCRIPT_FILE_FOLDER>/runs/<job name>/`` with ``script.js``, the
captured output ``k6.log``, ``pid`` and, once k6 has ended, ``exit_code``. k6 runs under a small
``sh`` wrapper in its own session that writes the exit code, so a runner restarted while k6 was
running can still tell running from ended, and how it ended.

A test split over N runners (``parallelism``) has one such folder per runner,
``<job name>/<job name>-<i>/``, beside the one ``script.js``: N k6 processes, each with its
execution segment, started paused with their REST API on a free loopback port and resumed
together (:mod:`.together`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from mv_contracts.lifecycle import K6Counts
from mv_contracts.runs import TEST_ID_TAG, TestRunRequest
from mv_runtime import scriptfiles
from mv_runtime.processes import pid_alive
from mv_test_runner.script import GeneratedScript
from mv_test_runner.script.counts import exported_counts, parse_counts, summed
from mv_test_runner.settings import K6Output, Settings

from . import outcomes, segments
from .base import Started, StartError, job_name
from .outcomes import Outcome
from .together import NotReady, Runner, start_together

# The wrapper ignores SIGTERM itself (k6 gets it and stops gracefully), then records k6's code.
_WRAPPER = 'trap "" TERM; "$0" "$@"; echo $? > "$MV_EXIT_FILE"'
POLL_SECONDS = 0.5


class LocalExecutor:
    kind: Literal["local", "kubernetes"] = "local"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._root = Path(settings.k6_script_file_folder) / "runs"
        self._children: dict[str, asyncio.subprocess.Process] = {}

    def run_dir(self, test_id: str) -> Path:
        return self._root / job_name(test_id)

    def runner_dirs(self, test_id: str) -> list[Path]:
        """The folder of each runner: the run's own for one runner, else one per segment."""
        directory = self.run_dir(test_id)
        split = sorted(
            directory.glob(f"{directory.name}-*"), key=lambda p: int(p.name.rsplit("-", 1)[1])
        )
        return split or [directory]

    def command(
        self,
        test_id: str,
        script: Path,
        output: K6Output,
        folder: Path | None = None,
        extra: list[str] | None = None,
    ) -> list[str]:
        # k6's own end-of-test summary is kept in the runner's folder (summary.json), so a stored
        # summary can always be checked against what k6 itself counted; its statistics are the
        # script's summaryTrendStats (script.counts).
        return [
            self._settings.k6_binary,
            "run",
            "--no-color",
            "--quiet",
            *output.args,
            "--tag",
            f"{TEST_ID_TAG}={test_id}",
            "--summary-export",
            str((folder or script.parent) / "summary.json"),
            *(extra or []),
            str(script),
        ]

    async def start(self, request: TestRunRequest, script: GeneratedScript) -> Started:
        binary = shutil.which(self._settings.k6_binary)
        if binary is None:
            raise StartError(f"k6 executable not found: {self._settings.k6_binary!r}")
        directory = self.run_dir(request.test_id)
        # An own script's files keep their layout (its imports and open() are relative to them).
        script_file = (
            directory / "script" / script.entry if script.own_files else directory / "script.js"
        )
        count = request.parallelism
        runners = segments.runners(directory.name, count)
        folders = [directory] if count == 1 else [directory / r.name for r in runners]
        try:
            for folder in folders:
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "exit_code").unlink(missing_ok=True)
            if script.own_files:  # an own script, as it is: its files keep their layout
                scriptfiles.write(script.own_files, directory / "script")
            else:
                script_file.write_text(script.text, encoding="utf-8")
            for name, content in script.files.items():  # data files, read beside the script
                (directory / name).write_text(content, encoding="utf-8")
        except OSError as error:
            raise StartError(f"cannot write the script to {directory}: {error}") from error
        apis: list[Runner] = []
        output = self._settings.k6_output(request.metrics_mode)
        ports = _free_ports(count) if count > 1 else []
        try:
            for info, folder in zip(runners, folders, strict=True):
                extra = segments.segment_args(info.index, count)
                if count > 1:
                    address = f"127.0.0.1:{ports.pop()}"
                    extra += ["--paused", "--address", address]
                    apis.append(Runner(info.index, info.name, f"http://{address}"))
                await self._spawn(
                    request.test_id, script_file, folder, extra, script.secrets, output,
                    own=bool(script.own_files),
                )  # fmt: skip
            if apis:
                await start_together(apis, self._ended, self._settings.runner_ready_seconds)
        except (StartError, NotReady) as error:
            await self.stop(request.test_id)
            raise StartError(str(error)) from error
        return Started(
            job_name(request.test_id),
            str(script_file),
            datetime.now(UTC),
            runners if count > 1 else [],
        )

    async def _ended(self, runner: Runner) -> str | None:
        # A runner's folder is named like the runner, inside the run's folder.
        folder = self._root / runner.name.rsplit("-", 1)[0] / runner.name
        if self._alive(folder):
            return None
        return self._outcome_of(folder).reason or "k6 ended"

    async def _spawn(
        self,
        test_id: str,
        script_file: Path,
        folder: Path,
        extra: list[str],
        env: dict[str, str],
        output: K6Output,
        *,
        own: bool = False,
    ) -> None:
        # k6 puts its environment in the script's __ENV: a team's own script gets none of the
        # runner's (SECRETS_KEY, credentials), only a PATH and a HOME beside its own values.
        base = (
            {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ} if own else os.environ
        )
        environment = {
            **base,
            **output.env,
            **env,
            "MV_EXIT_FILE": str(folder / "exit_code"),
        }
        log = (folder / "k6.log").open("wb")
        try:
            process = await asyncio.create_subprocess_exec(
                "sh",
                "-c",
                _WRAPPER,
                *self.command(test_id, script_file, output, folder, extra),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                env=environment,
                cwd=folder,
                start_new_session=True,
            )
        except OSError as error:
            raise StartError(f"k6 could not be started: {error}") from error
        finally:
            log.close()
        (folder / "pid").write_text(str(process.pid))
        self._children[str(folder)] = process

    async def is_running(self, test_id: str) -> bool:
        return any(self._alive(f) for f in self.runner_dirs(test_id))

    def _alive(self, folder: Path) -> bool:
        child = self._children.get(str(folder))
        if child is not None:
            return child.returncode is None
        return _alive(folder)

    async def wait(self, test_id: str) -> Outcome:
        for folder in self.runner_dirs(test_id):
            child = self._children.get(str(folder))
            if child is not None:
                await child.wait()
                self._children.pop(str(folder), None)
            else:
                # Not our child (we restarted): poll its pid, there is nothing to wait on.
                while self._alive(folder):  # noqa: ASYNC110
                    await asyncio.sleep(POLL_SECONDS)
        return self.outcome(test_id)

    def output(self, test_id: str) -> str:
        return "\n".join(_read(f / "k6.log") for f in self.runner_dirs(test_id))

    async def counts(self, test_id: str) -> K6Counts | None:
        """Each runner's count: the marked line a generated script logs, else (an own script)
        k6's summary export, which k6 writes whatever the script's own ``handleSummary`` does."""
        found: list[K6Counts | None] = []
        for folder in self.runner_dirs(test_id):
            text = await asyncio.to_thread(_read, folder / "k6.log")
            exported = await asyncio.to_thread(_read, folder / "summary.json")
            found.append(parse_counts(text) or exported_counts(exported))
        return summed(found)

    def outcome(self, test_id: str) -> Outcome:
        """How an ended run went, from its runners' exit_code files."""
        return outcomes.combined([(f.name, self._outcome_of(f)) for f in self.runner_dirs(test_id)])

    def _outcome_of(self, folder: Path) -> Outcome:
        output = _read(folder / "k6.log")
        try:
            code = int((folder / "exit_code").read_text().strip())
        except (OSError, ValueError):
            return outcomes.no_exit_code(output)
        return outcomes.from_exit(code, output)

    async def stop(self, test_id: str) -> None:
        """SIGTERM to every runner's process group; SIGKILL after CANCEL_GRACE_SECONDS."""
        folders = [f for f in self.runner_dirs(test_id) if self._alive(f)]
        pids = [pid for f in folders if (pid := _pid(f)) is not None]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
        deadline = asyncio.get_running_loop().time() + self._settings.cancel_grace_seconds
        while any(self._alive(f) for f in folders):
            if asyncio.get_running_loop().time() > deadline:
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pid, signal.SIGKILL)
                return
            await asyncio.sleep(0.1)


def _pid(folder: Path) -> int | None:
    try:
        return int((folder / "pid").read_text())
    except (OSError, ValueError):
        return None


def _alive(folder: Path) -> bool:
    pid = _pid(folder)
    return pid is not None and pid_alive(pid) and not (folder / "exit_code").exists()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _free_ports(count: int) -> list[int]:
    """Loopback ports free now, one per runner's REST API (k6 exits 106 if it is taken). The
    probes stay bound until all are chosen: one closed at once let the next get the same port,
    and two runners of one test met on it."""
    with contextlib.ExitStack() as probes:
        ports: list[int] = []
        for _ in range(count):
            probe = probes.enter_context(socket.socket())
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
        return ports
