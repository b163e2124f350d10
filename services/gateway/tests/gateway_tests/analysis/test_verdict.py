"""The one verdict of a run and the one comparison method: a figure is better or worse only
when the change is significant and larger than the minimum effect."""

from __future__ import annotations

from gateway_tests.analysis_facts import figures, run, scenario, series
from mv_contracts.metrics import FailureCount
from mv_gateway.analysis import (
    Analysis,
    AnalysisThresholds,
    Judgement,
    Outcome,
    analyse,
    judge_named,
    with_overrides,
)

T = AnalysisThresholds()


def steps(values: list[float]) -> object:
    return series([100.0] * len(values), latency=values)


def test_a_large_change_without_enough_steps_is_not_judged() -> None:
    # Two steps each: no significance test is possible, so no "worse" on the size alone.
    p, judgement = judge_named("p95_response_time", 10, 20, steps([10, 10]), steps([20, 20]), T)  # type: ignore[misc, arg-type]
    assert p is None
    assert judgement is Judgement.SAME


def test_a_significant_change_below_the_minimum_effect_is_the_same() -> None:
    base = [100.0 + i % 3 for i in range(30)]
    other = [v + 3 for v in base]  # +3 %: significant (steady), but under the 10 % minimum
    p, judgement = judge_named("p95_response_time", 101, 104, steps(base), steps(other), T)  # type: ignore[misc, arg-type]
    assert p is not None
    assert p < 0.001
    assert judgement is Judgement.SAME
    loose = T.model_copy(update={"regression_change": 0.02})
    assert judge_named("p95_response_time", 101, 104, steps(base), steps(other), loose) == (  # type: ignore[arg-type]
        p,
        Judgement.WORSE,
    )


def test_a_figure_without_a_distribution_is_not_judged() -> None:
    assert judge_named("min_response_time", 1.0, 1.03, None, None, T) is None


def test_the_verdict_says_why_it_failed() -> None:
    facts = run(
        [scenario("pay")],
        per_scenario=[figures(requests=1000, failed=54)],
        overall=figures(requests=1000, failed=54),
        failures=[[FailureCount(status="500", count=54)]],
    )
    analysis = analyse(facts, T)
    verdict = analysis.verdict
    assert verdict.outcome is Outcome.FAILED
    assert verdict.critical == 2  # the whole test and the scenario
    assert verdict.reason.en.startswith("2 critical findings: Error rate 5.4 % above the 5 %")
    assert verdict.reason.ko.startswith("치명적인 발견 2건: 오류율 5.4 %")
    rate = next(f for f in analysis.findings if f.rule == "failures.rate")
    assert (rate.evidence["threshold"], rate.evidence["threshold_setting"]) == (
        0.05,
        "failure_rate_critical",
    )
    assert analysis.thresholds == T  # the analysis keeps what it applied
    # A test's own threshold moves the line, and the finding says so.
    relaxed = with_overrides(T, {"failure_rate_critical": 0.10})
    again = analyse(facts, relaxed)
    assert again.verdict.outcome is Outcome.PASSED
    assert "above the 1 % threshold" in next(f for f in again.findings).title.en


def test_an_analysis_stored_before_the_verdict_reads_the_same() -> None:
    old = {
        "findings": [],
        "verdict": "worse",
        "comparisons": [
            {
                "figure": "avg_tps",
                "scenario": None,
                "baseline": 1.0,
                "current": 2.0,
                "change": 1.0,
                "p_value": 0.01,
                "verdict": "better",
            }
        ],
    }
    analysis = Analysis.model_validate(old)
    assert analysis.baseline_judgement is Judgement.WORSE
    assert analysis.comparisons[0].judgement is Judgement.BETTER
    assert analysis.verdict.outcome is Outcome.PASSED
    assert Analysis.model_validate(analysis.model_dump(mode="json")) == analysis


def test_evidence_reads_in_words_and_rounded() -> None:
    from mv_gateway.reports.labels import evidence_label, evidence_value

    assert evidence_label("threshold", "ko") == "기준값"
    assert evidence_label("knee_response_time_ms", "en") == "Knee response time ms"
    assert evidence_value("share_at_limit", 0.3333333333333333) == "33.33 %"
    assert evidence_value("ratio", 0.3333333333333333) == "0.3333"
    assert evidence_value("over_ms", 150.12345) == "150.12"
    assert evidence_value("figure", "p95_response_time", "ko") == "p95 응답 시간"
    assert evidence_value("threshold_setting", "failure_rate_critical") == "failure_rate_critical"
