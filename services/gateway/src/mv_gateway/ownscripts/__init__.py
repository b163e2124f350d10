"""Own scripts: a team's own k6 script (one file, or an archive with its modules and data), kept
in versions per project, read by a test-runner's ``k6 inspect`` and run unmodified like any
test (:mod:`mv_gateway.runs`)."""

from .tables import OwnScript

__all__ = ["OwnScript"]
