"""What an analysis says: findings with evidence, the run's one verdict (passed or failed, and
why), and each figure's judgement against a baseline run."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from .thresholds import AnalysisThresholds


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Words(BaseModel):
    """One text in both languages of the product."""

    model_config = ConfigDict(frozen=True)

    en: str
    ko: str


Evidence = dict[str, float | int | str | None]


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="Stable id of the rule, e.g. 'target.response_time'")
    severity: Severity
    scenario: str | None = Field(description="The scenario's name, or null for the whole test")
    title: Words
    detail: Words
    evidence: Evidence = Field(description="The numbers the finding rests on")
    recommendation: Words | None = None


class Judgement(StrEnum):
    """A figure against the baseline's: better or worse only when the change is significant
    and larger than the minimum effect, else the same."""

    BETTER = "better"
    WORSE = "worse"
    SAME = "same"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class Verdict(BaseModel):
    """The run's one verdict: failed when any finding is critical (a target missed, too many
    failures, figures not whole...), with the reason in words; shown the same everywhere."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    critical: int = Field(description="Critical findings: the reasons it failed")
    reason: Words


def verdict_of(findings: list[Finding]) -> Verdict:
    critical = [f for f in findings if f.severity is Severity.CRITICAL]
    if not critical:
        warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
        return Verdict(
            outcome=Outcome.PASSED,
            critical=0,
            reason=Words(
                en="No critical finding" + (f" ({warnings} warning{'s' * (warnings != 1)})"
                                            if warnings else ""),
                ko="치명적인 발견 없음" + (f" (경고 {warnings}건)" if warnings else ""),
            ),
        )  # fmt: skip
    n = len(critical)

    def titled(f: Finding, language: Literal["en", "ko"]) -> str:
        title = getattr(f.title, language)
        return f"{title} ({f.scenario})" if f.scenario else title

    en = "; ".join(titled(f, "en") for f in critical)
    ko = "; ".join(titled(f, "ko") for f in critical)
    return Verdict(
        outcome=Outcome.FAILED,
        critical=n,
        reason=Words(
            en=f"{n} critical finding{'s' * (n != 1)}: {en}", ko=f"치명적인 발견 {n}건: {ko}"
        ),
    )


class Comparison(BaseModel):
    """One figure of a run against the baseline's."""

    model_config = ConfigDict(frozen=True)

    figure: str
    scenario: str | None
    baseline: float | None
    current: float | None
    change: float | None = Field(description="Relative change (0.1 = +10 %), or null")
    p_value: float | None = Field(description="Mann-Whitney U over the per-step series")
    judgement: Judgement

    @model_validator(mode="before")
    @classmethod
    def _stored_before_verdicts(cls, data: Any) -> Any:
        """Analyses stored before the verdict was its own thing named this ``verdict``."""
        if isinstance(data, dict) and "verdict" in data and "judgement" not in data:
            data = {**data, "judgement": data["verdict"]}
            del data["verdict"]
        return data


class Narrative(BaseModel):
    """A summary written by a language model from the findings and figures: labelled as such."""

    text: str
    language: Literal["en", "ko"]
    model: str
    generated: Literal[True] = Field(default=True, description="Written by a language model")
    generated_at: datetime


class Analysis(BaseModel):
    findings: list[Finding]
    baseline_test_id: str | None = None
    baseline_judgement: Judgement | None = Field(
        default=None, description="Against the baseline, if any: the worst figure's judgement"
    )
    comparisons: list[Comparison] = Field(default_factory=list)
    thresholds: AnalysisThresholds | None = Field(
        default=None, description="The thresholds the rules applied (null: stored before them)"
    )
    narratives: dict[str, Narrative] = Field(
        default_factory=dict, description="Written summaries by language, when a model is set"
    )

    @model_validator(mode="before")
    @classmethod
    def _stored_before_verdicts(cls, data: Any) -> Any:
        """Analyses stored before the verdict held the baseline's judgement as ``verdict``."""
        if not isinstance(data, dict) or "verdict" not in data:
            return data
        data = dict(data)
        verdict = data.pop("verdict")  # a stored verdict object is computed again, never read
        if not isinstance(verdict, dict) and "baseline_judgement" not in data:
            data["baseline_judgement"] = verdict
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verdict(self) -> Verdict:
        """The run's verdict, from the findings by the one rule of :func:`verdict_of`."""
        return verdict_of(self.findings)

    @property
    def passed(self) -> bool:
        return self.verdict.outcome is Outcome.PASSED
