"""The one exception type of the analyzer: a failure kind from the contracts and a reason."""

from __future__ import annotations

from mv_contracts.spec import FailureKind


class AnalysisError(Exception):
    """An analysis that cannot finish; ``reason`` is written for the person who asked."""

    def __init__(self, kind: FailureKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason

    def __reduce__(self) -> tuple[type[AnalysisError], tuple[FailureKind, str]]:
        # Raised in the worker process, it must cross back to the service intact.
        return (AnalysisError, (self.kind, self.reason))


class Unfetchable(Exception):
    """A URL that gave no HTTP answer: blocked by the fetch policy, not resolvable, nothing
    listening, not HTTP, or too slow. The detail is for the log only: told apart to whoever
    asked, these would map what listens where (see :mod:`.fetching`)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
