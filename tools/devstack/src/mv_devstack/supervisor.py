"""Keeping the stack's services running, as Kubernetes would: a process of the stack that
restarts a service that died, waiting longer after each quick death (1 s, 2 s, 4 s, ... up to
``MAX_BACKOFF``; a service that ran ``STEADY`` seconds starts over at 1 s), and logs each
restart to ``MV_DIR/logs/supervisor.log``.

``up`` starts it after the services; ``down`` stops it first, so nothing it would restart is
being stopped. The servers (NATS, InfluxDB, PostgreSQL) and the demo API are not supervised:
the services ride out their outages, and a stopped server is something a person did.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO

from .config import REPO_ROOT, StackConfig
from .credentials import ensure_admin
from .processes import ManagedProcess, StackError
from .services import SERVICES, service_process

NAME = "supervisor"
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 30.0
STEADY = 30.0  # seconds up after which a death is not "quick" any more
POLL = 0.5


def supervisor_process(config: StackConfig) -> ManagedProcess:
    # The stack's settings go to the supervisor as its MV_ variables: a test's stack is not the
    # default one.
    env = {f"MV_{key.upper()}": str(value) for key, value in config.model_dump().items()}
    return ManagedProcess(
        name=NAME,
        command=[sys.executable, "-m", "mv_devstack", "supervise"],
        run_dir=config.dir / "run",
        log_dir=config.dir / "logs",
        env=env,
        cwd=REPO_ROOT,
    )


def start_supervisor(config: StackConfig) -> ManagedProcess:
    process = supervisor_process(config)
    process.start(config.host)
    return process


@dataclass
class Watched:
    process: ManagedProcess
    up_since: float = field(default_factory=time.monotonic)
    backoff: float = FIRST_BACKOFF
    restart_at: float | None = None  # set when found dead: when to start it again
    restarts: int = 0


class Supervisor:
    def __init__(self, config: StackConfig, out: TextIO) -> None:
        self.config = config
        self.out = out
        admin = ensure_admin(config).gateway_environment()
        processes = [service_process(config, name) for name in SERVICES]
        processes[0].env.update(admin)
        self.watched = [Watched(p) for p in processes]
        self.stopping = False

    def log(self, event: str, **fields: object) -> None:
        record = {"timestamp": datetime.now(UTC).isoformat(), "service": NAME, "event": event}
        self.out.write(json.dumps({**record, **fields}) + "\n")
        self.out.flush()

    def _reap(self) -> None:
        """Collect the exit of services this process restarted (its children), so a dead one is
        not a zombie that looks alive, and say how each ended."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            how = (
                f"signal {os.WTERMSIG(status)}"
                if os.WIFSIGNALED(status)
                else f"exit {os.WEXITSTATUS(status)}"
            )
            self.log("service process ended", pid=pid, how=how)

    def tick(self, now: float) -> None:
        self._reap()
        for watched in self.watched:
            process = watched.process
            if process.pid() is not None:
                if watched.restart_at is None and now - watched.up_since >= STEADY:
                    watched.backoff = FIRST_BACKOFF
                continue
            if watched.restart_at is None:
                lived = now - watched.up_since
                watched.restart_at = now + watched.backoff
                self.log(
                    "service died, restarting after back-off",
                    name=process.name, lived_seconds=round(lived, 1),
                    backoff_seconds=watched.backoff, log_file=str(process.log_file),
                    last_lines=process.log_tail(5),
                )  # fmt: skip
                continue
            if now < watched.restart_at:
                continue
            try:
                pid = process.start(self.config.host)
            except (StackError, OSError) as error:
                watched.restart_at = now + watched.backoff
                self.log("restart failed", name=process.name, error=str(error))
            else:
                watched.restarts += 1
                self.log("service restarted", name=process.name, pid=pid, restarts=watched.restarts)
                watched.restart_at = None
                watched.up_since = now
            watched.backoff = min(watched.backoff * 2, MAX_BACKOFF)

    def run(self) -> None:
        def stop(_signal: int, _frame: object) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.log("supervising", services=[w.process.name for w in self.watched])
        while not self.stopping:
            self.tick(time.monotonic())
            time.sleep(POLL)
        # The services stay up: `down` stops them after this.
        self.log("supervisor stopped")
