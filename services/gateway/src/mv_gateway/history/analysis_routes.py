"""What the analysis of every test applies unless told otherwise: its thresholds (the
gateway's settings, which a test may override) and whether a written summary can be asked for."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from mv_gateway.analysis import AnalysisThresholds
from mv_gateway.auth import READ
from mv_gateway.core.deps import SettingsDep

from .narrating import model_configured

router = APIRouter(prefix="/analysis", tags=["Test History"])


class ThresholdRead(BaseModel):
    name: str = Field(examples=["failure_rate_critical"])
    value: float = Field(description="The gateway's setting (ANALYSIS__<NAME>)")
    description: str | None
    integer: bool = Field(description="Whole numbers only")
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None


class AnalysisSettingsRead(BaseModel):
    thresholds: list[ThresholdRead] = Field(description="Each one a test may set for itself")
    summary_available: bool = Field(
        description="Whether a language model is configured for written summaries"
    )


def _thresholds(settings: AnalysisThresholds) -> list[ThresholdRead]:
    schema = AnalysisThresholds.model_json_schema()["properties"]
    return [
        ThresholdRead(
            name=name,
            value=getattr(settings, name),
            description=field.description,
            integer=schema[name].get("type") == "integer",
            minimum=schema[name].get("minimum"),
            maximum=schema[name].get("maximum"),
            exclusive_minimum=schema[name].get("exclusiveMinimum"),
            exclusive_maximum=schema[name].get("exclusiveMaximum"),
        )
        for name, field in AnalysisThresholds.model_fields.items()
    ]


@router.get("/settings", response_model=AnalysisSettingsRead, dependencies=[READ])
async def analysis_settings(settings: SettingsDep) -> AnalysisSettingsRead:
    """The thresholds the analysis applies by default, and whether summaries can be written."""
    return AnalysisSettingsRead(
        thresholds=_thresholds(settings.analysis), summary_available=model_configured(settings)
    )
