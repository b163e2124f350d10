"""The HTML report: one file, styles and charts inline, nothing loaded from elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from mv_contracts.metrics import FIGURE_NAMES, MetricSeries
from mv_gateway.core.text import printable

from .charts import Line, line_chart
from .labels import (
    FIGURE_LABELS,
    LABELS,
    PERCENTILE_NOTES,
    SEVERITY_MARK,
    WORDS,
    Language,
    evidence_label,
    evidence_value,
)
from .model import ReportInput

_environment = Environment(
    loader=PackageLoader("mv_gateway.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _figure(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return str(value)


def _figure_of(name: str, value: object) -> str:
    """A figure's value in its unit: error rates as percentages."""
    if FIGURE_LABELS[name][2] == "%" and isinstance(value, float):
        return f"{value * 100:.2f} %"
    return _figure(value)


def _labeller(language: Language) -> Callable[[str], str]:
    def label(name: str) -> str:
        en, ko, unit = FIGURE_LABELS[name]
        text = en if language == "en" else ko
        return f"{text} ({unit})" if unit else text

    return label


def _percentile_note(report: ReportInput, language: Language) -> str | None:
    if report.percentile_source not in PERCENTILE_NOTES[language]:
        return None
    bound = f"{(report.percentile_error_bound or 0) * 100:.1f} %"
    return PERCENTILE_NOTES[language][report.percentile_source].format(bound=bound)


def _series_charts(series: MetricSeries, words: dict[str, str]) -> list[Markup]:
    t = series.time
    charts = [
        line_chart(words["tps"], "req/s", t, [Line("TPS", series.tps)]),
        line_chart(
            words["response_time"],
            "ms",
            t,
            [
                Line("avg", series.response_time_avg),
                Line("p95", series.response_time_p95),
                Line("p99", series.response_time_p99, dashed=True),
            ],
        ),
        line_chart(
            words["error_rate"],
            "%",
            t,
            [Line("errors", [None if v is None else v * 100 for v in series.error_rate])],
        ),
    ]
    if any(v is not None for v in series.vus):
        charts.append(line_chart(words["vus"], "VUs", t, [Line("VUs", series.vus)]))
    return [Markup(c) for c in charts]  # noqa: S704 -- built by line_chart, every text escaped


def _pod_charts(report: ReportInput, words: dict[str, str]) -> list[Markup]:
    if not report.pods:
        return []
    start = min(p.at for p in report.pods)
    pods: dict[str, list[Any]] = {}
    for sample in sorted(report.pods, key=lambda p: p.at):
        pods.setdefault(sample.pod, []).append(sample)
    axis = sorted({(p.at - start).total_seconds() for p in report.pods})

    def lines(attribute: str) -> list[Line]:
        out = []
        for pod, samples in pods.items():
            by_time = {(s.at - start).total_seconds(): getattr(s, attribute) for s in samples}
            out.append(Line(pod, [by_time.get(t) for t in axis]))
        return out

    return [
        Markup(line_chart(words["cpu"], "%", axis, lines("cpu_percent"))),  # noqa: S704
        Markup(line_chart(words["memory"], "MB", axis, lines("memory_usage_mb"))),  # noqa: S704
    ]


def render_html(report: ReportInput, language: Language = "en", now: datetime | None = None) -> str:
    words = LABELS[language]
    scenario_charts = [
        (s.name, _series_charts(s.series, words)[:2]) for s in report.scenarios if s.series
    ]
    template = _environment.get_template("report.html.j2")
    html = template.render(
        report=report,
        words=words,
        language=language,
        figure_names=FIGURE_NAMES,
        fmt=_figure,
        fmt_figure=_figure_of,
        percent=lambda rate: "-" if rate is None else f"{rate * 100:.2f} %",
        label=_labeller(language),
        percentile_note=_percentile_note(report, language),
        marks=SEVERITY_MARK,
        said=WORDS[language],
        evidence_label=lambda key: evidence_label(key, language),
        evidence_value=lambda key, value: evidence_value(key, value, language),
        overall_charts=_series_charts(report.series.overall, words) if report.series else [],
        scenario_charts=scenario_charts,
        pod_charts=_pod_charts(report, words),
        generated_at=(now or datetime.now().astimezone()).isoformat(timespec="seconds"),
    )
    # Autoescaping handles markup; control characters (parse errors in HTML) are escaped here.
    return printable(html)
