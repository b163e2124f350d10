"""A run against its baseline: each figure's change, its significance, and its judgement.

The one comparison method of the product (the regression finding, the result page and the compare
page): a figure is better or worse only when the change is significant (Mann-Whitney U over the
per-step series, p below ``regression_p_value``) and larger than the minimum effect
(``regression_change``, or ``regression_error_rate_points`` for the error rate); else the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mv_contracts.metrics import MetricFigures, MetricSeries

from .facts import RunFacts
from .findings import Comparison, Finding, Judgement, Severity, Words
from .text import change as fmt_change
from .text import ms, num, pct, where
from .thresholds import AnalysisThresholds

MIN_STEPS = 3


@dataclass(frozen=True, slots=True)
class Figure:
    name: str  # as the API and the contract spell it
    label: Words  # as people read it, in findings
    value: Callable[[MetricFigures], float | None]
    steps: Callable[[MetricSeries], list[float | None]]
    higher_is_worse: bool
    absolute: bool = False  # judged by points (error rate), not by a relative change
    show: Callable[[float | None], str] = num  # a value in the finding's words, with its unit


FIGURES = (
    Figure(
        "p95_response_time", Words(en="p95 response time", ko="p95 응답 시간"),
        lambda f: f.p95_response_time, lambda s: s.response_time_p95, True, show=ms,
    ),
    Figure(
        "p99_response_time", Words(en="p99 response time", ko="p99 응답 시간"),
        lambda f: f.p99_response_time, lambda s: s.response_time_p99, True, show=ms,
    ),
    Figure(
        "avg_error_rate", Words(en="Average error rate", ko="평균 오류율"),
        lambda f: f.avg_error_rate, lambda s: s.error_rate, True, True, show=pct,
    ),
    Figure(
        "avg_tps", Words(en="Average TPS", ko="평균 TPS"),
        lambda f: f.avg_tps, lambda s: list(s.tps), False,
    ),
)  # fmt: skip
BY_NAME = {figure.name: figure for figure in FIGURES}


def p_value(
    base: MetricSeries | None, current: MetricSeries | None, figure: Figure
) -> float | None:
    """Two-sided Mann-Whitney U over the per-step values; the partial first and last steps
    are left out. ``None`` with too few steps."""
    if base is None or current is None:
        return None
    a = [v for v in figure.steps(base)[1:-1] if v is not None]
    b = [v for v in figure.steps(current)[1:-1] if v is not None]
    if len(a) < MIN_STEPS or len(b) < MIN_STEPS or len(set(a) | set(b)) < 2:
        return None
    # Imported here: scipy.stats costs seconds of CPU to import, which every gateway start (and
    # every test starting one) paid; only a comparison with a baseline needs it.
    from scipy.stats import mannwhitneyu

    return float(mannwhitneyu(a, b, alternative="two-sided").pvalue)


def judge(
    figure: Figure, base: float | None, current: float | None, p: float | None,
    t: AnalysisThresholds,
) -> tuple[float | None, Judgement]:  # fmt: skip
    if base is None or current is None:
        return None, Judgement.SAME
    relative = (current / base - 1) if base else None
    moved = current - base if figure.absolute else relative
    limit = t.regression_error_rate_points if figure.absolute else t.regression_change
    # Without enough steps for the test there is no significance, so no judgement either.
    if moved is None or abs(moved) < limit or p is None or p >= t.regression_p_value:
        return relative, Judgement.SAME
    worse = (moved > 0) == figure.higher_is_worse
    return relative, Judgement.WORSE if worse else Judgement.BETTER


def judge_named(
    name: str, base: float | None, current: float | None,
    base_series: MetricSeries | None, series: MetricSeries | None, t: AnalysisThresholds,
) -> tuple[float | None, Judgement] | None:  # fmt: skip
    """(p-value, judgement) of the figure ``name``; None for a figure the method does not
    judge (the minimum response time is one sample, not a distribution over steps)."""
    figure = BY_NAME.get(name)
    if figure is None:
        return None
    p = p_value(base_series, series, figure)
    return p, judge(figure, base, current, p, t)[1]


def compare(
    current: RunFacts, baseline: RunFacts, t: AnalysisThresholds
) -> tuple[Judgement, list[Comparison]]:
    groups: list[tuple[str | None, MetricFigures | None, MetricFigures | None, MetricSeries | None,
                       MetricSeries | None]] = [
        (None, baseline.summary.overall, current.summary.overall, baseline.series, current.series)
    ]  # fmt: skip
    for s in current.scenarios:
        b = baseline.scenario(s.name)
        if b is not None:
            groups.append((s.name, b.figures, s.figures, b.series, s.series))
    comparisons = []
    for scenario, base_figures, figures, base_series, series in groups:
        if base_figures is None or figures is None:
            continue
        for figure in FIGURES:
            base, now = figure.value(base_figures), figure.value(figures)
            p = p_value(base_series, series, figure)
            relative, judgement = judge(figure, base, now, p, t)
            comparisons.append(
                Comparison(
                    figure=figure.name,
                    scenario=scenario,
                    baseline=base,
                    current=now,
                    change=relative,
                    p_value=p,
                    judgement=judgement,
                )
            )
    verdicts = {c.judgement for c in comparisons}
    overall = (
        Judgement.WORSE
        if Judgement.WORSE in verdicts
        else Judgement.BETTER
        if Judgement.BETTER in verdicts
        else Judgement.SAME
    )
    return overall, comparisons


def findings(baseline_id: str, comparisons: list[Comparison]) -> list[Finding]:
    found = []
    for c in comparisons:
        if c.judgement is Judgement.SAME:
            continue
        worse = c.judgement is Judgement.WORSE
        en_where, ko_where = where(c.scenario)
        figure = BY_NAME[c.figure]
        label, shown = figure.label, f"{figure.show(c.baseline)} → {figure.show(c.current)}"
        found.append(
            Finding(
                rule="regression.worse" if worse else "regression.better",
                severity=Severity.WARNING if worse else Severity.INFO,
                scenario=c.scenario,
                title=Words(
                    en=f"{label.en} worse than the baseline", ko=f"{label.ko} 기준보다 나빠짐"
                )
                if worse
                else Words(
                    en=f"{label.en} better than the baseline", ko=f"{label.ko} 기준보다 좋아짐"
                ),
                detail=Words(
                    en=f"{label.en} {en_where}: {shown} "
                    f"({fmt_change(c.change)}) against baseline run {baseline_id}"
                    + (f", p = {c.p_value:.3g}." if c.p_value is not None else "."),
                    ko=f"{ko_where} {label.ko}: {shown} "
                    f"({fmt_change(c.change)}), 기준 실행 {baseline_id} 대비"
                    + (f", p = {c.p_value:.3g}." if c.p_value is not None else "."),
                ),
                evidence={
                    "figure": c.figure,
                    "baseline": c.baseline,
                    "current": c.current,
                    "change": c.change,
                    "p_value": c.p_value,
                    "baseline_test_id": baseline_id,
                },
            )
        )
    return found
