"""What the runner remembers about each run, on disk, so a restart loses nothing.

``<K6_SCRIPT_FILE_FOLDER>/lifecycle/<job name>/`` holds ``run.json`` (test id, start time, job,
metrics mode),
``warned``, ``cancel`` (the cancel reason) and ``finished`` once the finished event went out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mv_contracts.runs import MetricsMode

from .executors.base import job_name


@dataclass(frozen=True, slots=True)
class RunRecord:
    test_id: str
    started_at: datetime | None
    job_name: str | None = None
    metrics_mode: MetricsMode | None = None
    """None in a record of a runner older than metrics modes (its runs wrote every sample)."""


class RunStore:
    def __init__(self, folder: Path) -> None:
        self._root = folder / "lifecycle"

    def _dir(self, test_id: str) -> Path:
        return self._root / job_name(test_id)

    def known(self, test_id: str) -> bool:
        return (self._dir(test_id) / "run.json").exists()

    def record(
        self,
        test_id: str,
        started_at: datetime | None,
        job: str | None = None,
        metrics_mode: MetricsMode | None = None,
    ) -> None:
        directory = self._dir(test_id)
        directory.mkdir(parents=True, exist_ok=True)
        data = {
            "test_id": test_id,
            "started_at": started_at.isoformat() if started_at else None,
            "job_name": job,
            "metrics_mode": metrics_mode.value if metrics_mode else None,
        }
        tmp = directory / "run.json.tmp"
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(directory / "run.json")

    def get(self, test_id: str) -> RunRecord | None:
        return self._read(self._dir(test_id) / "run.json")

    @staticmethod
    def _read(path: Path) -> RunRecord | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        started = data.get("started_at")
        mode = data.get("metrics_mode")
        return RunRecord(
            data["test_id"],
            datetime.fromisoformat(started) if started else None,
            data["job_name"],
            MetricsMode(mode) if mode else None,
        )

    def _flag(self, test_id: str, name: str, text: str = "") -> None:
        directory = self._dir(test_id)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text, encoding="utf-8")

    def mark_warned(self, test_id: str) -> None:
        self._flag(test_id, "warned")

    def warned(self, test_id: str) -> bool:
        return (self._dir(test_id) / "warned").exists()

    def mark_cancel(self, test_id: str, reason: str) -> None:
        self._flag(test_id, "cancel", reason)

    def cancel_reason(self, test_id: str) -> str | None:
        try:
            return (self._dir(test_id) / "cancel").read_text(encoding="utf-8")
        except OSError:
            return None

    def mark_finished(self, test_id: str, status: str) -> None:
        self._flag(test_id, "finished", status)

    def finished(self, test_id: str) -> bool:
        return (self._dir(test_id) / "finished").exists()

    def unfinished(self) -> list[RunRecord]:
        if not self._root.exists():
            return []
        records = [self._read(d / "run.json") for d in sorted(self._root.iterdir())]
        return [r for r in records if r is not None and not self.finished(r.test_id)]
