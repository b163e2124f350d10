"""The optional written summary: a prompt built from the findings and figures (never from raw
samples), for an OpenAI-compatible chat model, and what it wrote, labelled as generated."""

from __future__ import annotations

import json
from typing import Any, Literal

from mv_contracts.metrics import MetricFigures

from .findings import Analysis

Language = Literal["en", "ko"]

SYSTEM = {
    "en": (
        "You are a performance engineer. Summarise a load test for a developer in at most five "
        "sentences of plain English: what was tested, whether targets were met, the most "
        "important problem and what to do next. Use only the facts given; do not invent numbers."
    ),
    "ko": (
        "당신은 성능 엔지니어입니다. 개발자를 위해 부하 테스트 결과를 다섯 문장 이내의 쉬운 "
        "한국어로 요약하세요: 무엇을 테스트했는지, 목표를 달성했는지, 가장 중요한 문제와 다음에 "
        "할 일. 주어진 사실만 사용하고 숫자를 지어내지 마세요."
    ),
}
KEY_FIGURES = (
    "total_requests",
    "avg_tps",
    "p95_response_time",
    "p99_response_time",
    "avg_error_rate",
)


def prompt(
    title: str,
    overall: MetricFigures,
    scenarios: dict[str, MetricFigures],
    analysis: Analysis,
    language: Language,
) -> list[dict[str, str]]:
    """The chat messages: the figures and findings as JSON, the instructions in ``language``."""

    def key(figures: MetricFigures) -> dict[str, Any]:
        return {name: getattr(figures, name) for name in KEY_FIGURES}

    facts = {
        "test": title,
        "overall": key(overall),
        "scenarios": {name: key(f) for name, f in scenarios.items()},
        "findings": [
            {
                "severity": f.severity.value,
                "scenario": f.scenario,
                "finding": f.title.en,
                "detail": getattr(f.detail, language),
            }
            for f in analysis.findings
        ],
        "verdict": analysis.verdict.outcome.value,
        "verdict_reason": getattr(analysis.verdict.reason, language),
        "against_baseline": (
            analysis.baseline_judgement.value if analysis.baseline_judgement else None
        ),
    }
    return [
        {"role": "system", "content": SYSTEM[language]},
        {"role": "user", "content": json.dumps(facts, ensure_ascii=False)},
    ]
