"""A real Kubernetes API server (kube-apiserver + etcd) on loopback, via scripts/kube-apiserver.sh.

The script builds kube-apiserver once into the cache and keeps certificates, etcd data, pid files
and an admin kubeconfig in one folder. :class:`KubeApiServer` starts it there (or reuses one that
runs), and stops it only when it was the one that started it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .config import REPO_ROOT, StackConfig, cache_dir

SCRIPT = REPO_ROOT / "scripts" / "kube-apiserver.sh"


def helm_binary() -> str | None:
    """A ``helm`` on PATH wins; else the one scripts/bootstrap.sh built into the cache."""
    found = shutil.which("helm")
    if found:
        return found
    built = cache_dir() / "bin" / "helm"
    return str(built) if built.exists() else None


class KubeApiServerError(RuntimeError):
    """The API server could not be started."""


class KubeApiServer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started_here = False

    @classmethod
    def for_stack(cls, config: StackConfig) -> KubeApiServer:
        return cls(config.dir / "kube")

    @property
    def kubeconfig(self) -> Path:
        return self.directory / "kubeconfig"

    def _alive(self, name: str) -> bool:
        try:
            pid = int((self.directory / f"{name}.pid").read_text())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return False
        return True

    def running(self) -> bool:
        return self._alive("etcd") and self._alive("kube-apiserver") and self.kubeconfig.exists()

    def _script(self, command: str, timeout: float) -> None:
        # Free ports unless the caller pinned them: a developer's own API server may hold 16443.
        env = {"MV_KUBE_PORT": "0", "MV_ETCD_PORT": "0", **os.environ}
        result = subprocess.run(
            ["bash", str(SCRIPT), command, str(self.directory)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
        if result.returncode != 0:
            raise KubeApiServerError(
                f"scripts/kube-apiserver.sh {command} failed ({result.returncode}): "
                f"{result.stderr.strip()[-2000:]}"
            )

    def start(self) -> None:
        """Start etcd and kube-apiserver unless they already run (the build must exist)."""
        if self.running():
            return
        # A first build takes long: scripts/bootstrap.sh does it, so a start here is seconds.
        self._script("start", timeout=600)
        self.started_here = True

    def stop(self) -> None:
        self._script("stop", timeout=60)
