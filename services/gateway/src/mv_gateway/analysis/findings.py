"""What an analysis says: findings with evidence, and a verdict against a baseline run."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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


class Verdict(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    SAME = "same"


class Comparison(BaseModel):
    """One figure of a run against the baseline's."""

    model_config = ConfigDict(frozen=True)

    figure: str
    scenario: str | None
    baseline: float | None
    current: float | None
    change: float | None = Field(description="Relative change (0.1 = +10 %), or null")
    p_value: float | None = Field(description="Mann-Whitney U over the per-step series")
    verdict: Verdict


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
    verdict: Verdict | None = Field(default=None, description="Against the baseline, if any")
    comparisons: list[Comparison] = Field(default_factory=list)
    narratives: dict[str, Narrative] = Field(
        default_factory=dict, description="Written summaries by language, when a model is set"
    )

    @property
    def passed(self) -> bool:
        """No critical finding: what a CI gate checks."""
        return all(f.severity is not Severity.CRITICAL for f in self.findings)
