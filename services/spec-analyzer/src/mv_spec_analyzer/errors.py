"""The one exception type of the analyzer: a failure kind from the contracts and a reason."""

from __future__ import annotations

from mv_contracts.spec import FailureKind
from mv_runtime.outbound import Unfetchable

__all__ = ["AnalysisError", "Unfetchable"]


class AnalysisError(Exception):
    """An analysis that cannot finish; ``reason`` is written for the person who asked."""

    def __init__(self, kind: FailureKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason

    def __reduce__(self) -> tuple[type[AnalysisError], tuple[FailureKind, str]]:
        # Raised in the worker process, it must cross back to the service intact.
        return (AnalysisError, (self.kind, self.reason))
