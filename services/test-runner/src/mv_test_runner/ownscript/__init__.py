"""A team's own k6 script: k6's reading of it (:mod:`.inspect`), and the script a run of it runs,
unmodified (:func:`own_script`)."""

from __future__ import annotations

from mv_contracts.runs import TestRunRequest
from mv_runtime.scriptfiles import unpack
from mv_test_runner.script import GeneratedScript


def own_script(request: TestRunRequest) -> GeneratedScript:
    """The files of the request's own script as they are, its ``__ENV`` values (opened) as k6's
    environment. The platform's outputs, tags and summary export are the executors' command-line
    options (never in the user's text): see :mod:`mv_test_runner.executors.local`."""
    own = request.own_script
    assert own is not None
    files = unpack(own.archive)
    if own.entry not in files:
        raise ValueError(f"the archive has no file {own.entry!r}")
    text = files[own.entry].decode("utf-8", errors="replace")
    return GeneratedScript(text=text, secrets=dict(own.env), own_files=files, entry=own.entry)
