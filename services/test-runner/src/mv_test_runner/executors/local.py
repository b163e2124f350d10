"""The local executor: a k6 process on this machine writing to InfluxDB (the embedded default).

Each run has a directory ``<K6_SCRIPT_FILE_FOLDER>/runs/<job name>/`` with ``script.js``, the
captured output ``k6.log``, ``pid`` and, once k6 has ended, ``exit_code``. k6 runs under a small
``sh`` wrapper in its own session that writes the exit code, so a runner restarted while k6 was
running can still tell running from ended, and how it ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from mv_contracts.runs import TEST_ID_TAG, K6Counts, TestRunRequest
from mv_runtime.processes import pid_alive
from mv_test_runner.script import GeneratedScript
from mv_test_runner.script.counts import parse_counts
from mv_test_runner.settings import Settings

from . import outcomes
from .base import Started, StartError, job_name
from .outcomes import Outcome

# The wrapper ignores SIGTERM itself (k6 gets it and stops gracefully), then records k6's code.
_WRAPPER = 'trap "" TERM; "$0" "$@"; echo $? > "$MV_EXIT_FILE"'
POLL_SECONDS = 0.5


SUMMARY_TREND_STATS = "avg,min,med,max,p(90),p(95),p(99),count"


class LocalExecutor:
    kind: Literal["local", "kubernetes"] = "local"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._root = Path(settings.k6_script_file_folder) / "runs"
        self._children: dict[str, asyncio.subprocess.Process] = {}

    def run_dir(self, test_id: str) -> Path:
        return self._root / job_name(test_id)

    def command(self, test_id: str, script: Path) -> list[str]:
        # k6's own end-of-test summary is kept beside the script (summary.json), so a stored
        # summary can always be checked against what k6 itself counted.
        return [
            self._settings.k6_binary,
            "run",
            "--no-color",
            "--quiet",
            "-o",
            f"influxdb={self._settings.influxdb_output_url}",
            "--tag",
            f"{TEST_ID_TAG}={test_id}",
            "--summary-trend-stats",
            SUMMARY_TREND_STATS,
            "--summary-export",
            str(script.parent / "summary.json"),
            str(script),
        ]

    async def start(self, request: TestRunRequest, script: GeneratedScript) -> Started:
        binary = shutil.which(self._settings.k6_binary)
        if binary is None:
            raise StartError(f"k6 executable not found: {self._settings.k6_binary!r}")
        directory = self.run_dir(request.test_id)
        script_file = directory / "script.js"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            script_file.write_text(script.text, encoding="utf-8")
            (directory / "exit_code").unlink(missing_ok=True)
        except OSError as error:
            raise StartError(f"cannot write the script to {directory}: {error}") from error
        env = {
            **os.environ,
            **self._settings.influxdb_output_env(),
            **script.env,
            "MV_EXIT_FILE": str(directory / "exit_code"),
        }
        log = (directory / "k6.log").open("wb")
        try:
            process = await asyncio.create_subprocess_exec(
                "sh",
                "-c",
                _WRAPPER,
                *self.command(request.test_id, script_file),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                env=env,
                cwd=directory,
                start_new_session=True,
            )
        except OSError as error:
            raise StartError(f"k6 could not be started: {error}") from error
        finally:
            log.close()
        (directory / "pid").write_text(str(process.pid))
        self._children[request.test_id] = process
        return Started(job_name(request.test_id), str(script_file), datetime.now(UTC))

    def _pid(self, test_id: str) -> int | None:
        try:
            return int((self.run_dir(test_id) / "pid").read_text())
        except (OSError, ValueError):
            return None

    async def is_running(self, test_id: str) -> bool:
        child = self._children.get(test_id)
        if child is not None:
            return child.returncode is None
        pid = self._pid(test_id)
        return pid is not None and pid_alive(pid)

    async def wait(self, test_id: str) -> Outcome:
        child = self._children.get(test_id)
        if child is not None:
            await child.wait()
            self._children.pop(test_id, None)
        else:
            # Not our child (we restarted): poll its pid, there is nothing to wait on.
            while await self.is_running(test_id):  # noqa: ASYNC110
                await asyncio.sleep(POLL_SECONDS)
        return self.outcome(test_id)

    def output(self, test_id: str) -> str:
        try:
            return (self.run_dir(test_id) / "k6.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    async def counts(self, test_id: str) -> K6Counts | None:
        return parse_counts(await asyncio.to_thread(self.output, test_id))

    def outcome(self, test_id: str) -> Outcome:
        """How an ended run went, from its exit_code file."""
        try:
            code = int((self.run_dir(test_id) / "exit_code").read_text().strip())
        except (OSError, ValueError):
            return outcomes.no_exit_code(self.output(test_id))
        return outcomes.from_exit(code, self.output(test_id))

    async def stop(self, test_id: str) -> None:
        """SIGTERM to k6's process group; SIGKILL after CANCEL_GRACE_SECONDS."""
        pid = self._pid(test_id)
        if pid is None or not await self.is_running(test_id):
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = asyncio.get_running_loop().time() + self._settings.cancel_grace_seconds
        while await self.is_running(test_id):
            if asyncio.get_running_loop().time() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                return
            await asyncio.sleep(0.1)
