"""The analysis of a run of an own script: its scenarios are k6's keys (no generated tags), each
judged by the rules per scenario, and k6's thresholds crossed (exit 99) fail the verdict."""

from __future__ import annotations

import dataclasses

from gateway_tests.analysis_facts import figures, run, scenario
from mv_contracts.runs import TestRunRequest
from mv_gateway.analysis import AnalysisThresholds, RunFacts
from mv_gateway.analysis.engine import analyse
from mv_gateway.analysis.findings import Outcome, Severity
from mv_runtime.scriptfiles import pack

KEYS = ("browse", "buy")
OWN = {
    "version_id": 7,
    "entry": "main.js",
    "archive": pack({"main.js": b"x"}),
    "max_vus": 3,
    "scenarios": list(KEYS),
}


def own_run(crossed: bool) -> RunFacts:
    facts = run(
        [scenario(key) for key in KEYS],
        per_scenario=[figures(requests=6000), figures(requests=6000, failed=3000)],
        overall=figures(requests=12000, failed=3000),
    )
    request = TestRunRequest.model_validate(
        {
            "test_id": "t-1",
            "title": "own",
            "project_id": 1,
            "base_url": "http://127.0.0.1:9",
            "own_script": OWN,
        }
    ).model_copy(update={"scenarios": facts.request.scenarios})  # as the history reads it back
    # The summary's scenarios are named by k6's keys, as the samples carry them.
    named = [
        s.model_copy(update={"name": key})
        for s, key in zip(facts.summary.scenarios, KEYS, strict=True)
    ]
    summary = facts.summary.model_copy(update={"scenarios": named})
    return dataclasses.replace(facts, request=request, summary=summary, thresholds_crossed=crossed)


def test_an_own_scripts_scenarios_are_judged_by_their_k6_keys() -> None:
    facts = own_run(crossed=False)
    assert [(s.name, s.tag, s.figures is not None) for s in facts.scenarios] == [
        ("browse", "browse", True),
        ("buy", "buy", True),
    ]
    found = {(f.rule, f.scenario): f for f in analyse(facts, AnalysisThresholds()).findings}
    assert found[("failures.rate", "buy")].severity is Severity.CRITICAL
    assert ("failures.rate", "browse") not in found
    assert ("target.k6_thresholds", None) not in found


def test_k6s_thresholds_crossed_fail_the_verdict_of_an_own_script() -> None:
    analysis = analyse(own_run(crossed=True), AnalysisThresholds())
    crossed = [f for f in analysis.findings if f.rule == "target.k6_thresholds"]
    assert len(crossed) == 1
    assert crossed[0].severity is Severity.CRITICAL
    assert crossed[0].evidence == {"script_version": 7}
    assert analysis.verdict.outcome is Outcome.FAILED
