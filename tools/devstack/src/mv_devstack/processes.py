"""Starting, finding and stopping background processes by pid file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mv_runtime.processes import pid_alive


class StackError(RuntimeError):
    """A problem a person can act on; the CLI prints the message without a traceback."""


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


@dataclass
class ManagedProcess:
    """A process of the stack, known by its pid file under ``run_dir``."""

    name: str
    command: Sequence[str]
    run_dir: Path
    log_dir: Path
    ports: Sequence[tuple[str, int]] = ()
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None

    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if pid_alive(pid) else None

    def check_ports(self, host: str) -> None:
        for label, port in self.ports:
            if not port_is_free(host, port):
                raise StackError(
                    f"{self.name}: port {port} ({label}) on {host} is already in use by another "
                    f"program; stop it or choose another port with MV_{label.upper()}_PORT"
                )

    def start(self, host: str) -> int:
        running = self.pid()
        if running:
            return running
        self.check_ports(host)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                list(self.command),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **self.env},
                cwd=self.cwd,
                start_new_session=True,  # survives the CLI; stopped by pid file
            )
        self.pid_file.write_text(str(process.pid))
        return process.pid

    def stop(self, timeout: float = 20.0) -> bool:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def wait_until(
    check: Callable[[], bool], *, what: str, timeout: float, process: ManagedProcess | None = None
) -> None:
    """Poll ``check`` until it is true; fail early when the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if process is not None and process.pid() is None:
            raise StackError(
                f"{what} exited during start-up; last lines of {process.log_file}:\n"
                f"{process.log_tail()}"
            )
        time.sleep(0.2)
    tail = f"; last lines of {process.log_file}:\n{process.log_tail()}" if process else ""
    raise StackError(f"{what} was not ready after {timeout:.0f} s{tail}")
