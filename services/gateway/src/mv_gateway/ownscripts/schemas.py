"""Bodies of the own-script routes: a stored version as read back, and the start of a test."""

from __future__ import annotations

from copy import copy
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from mv_contracts.common import DbId, Name, Text
from mv_contracts.ownscripts import EnvName, ScriptInspection
from mv_contracts.runs import MetricsMode, TestRunRequest
from mv_gateway.analysis import AnalysisThresholdOverrides


class ScriptVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="The version's id: what a test names to run it")
    project_id: int
    name: str
    version: int = Field(description="1, 2, ...: each upload under the name is the next")
    entry: str
    digest: str = Field(description="sha256 of the stored (normalised) archive")
    files: dict[str, int] = Field(description="Each file of the script and its size in bytes")
    inspection: ScriptInspection = Field(
        description="k6 inspect's reading: scenarios, executors, thresholds, max VUs"
    )
    created_by: str | None
    created_at: datetime


class OwnScriptRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    script_id: DbId = Field(description="The stored version to run (ScriptVersionRead.id)")
    title: Name | None = Field(default=None, description="Default: the script's name and version")
    description: Text | None = None
    base_url: HttpUrl = Field(
        description="The service under test: checked against the allowed targets and given to "
        "the script as __ENV.BASE_URL"
    )
    env: dict[EnvName, str] = Field(
        default_factory=dict,
        max_length=200,
        description="__ENV of the script: secrets welcome (sealed on the bus, masked in the "
        "stored request, never in the script, a log or an answer)",
    )
    parallelism: int = copy(TestRunRequest.model_fields["parallelism"])  # type: ignore[assignment]
    one_runner_per_node: bool = copy(  # type: ignore[assignment]
        TestRunRequest.model_fields["one_runner_per_node"]
    )
    metrics_mode: MetricsMode | None = Field(
        default=None, description="How k6's samples reach the platform; null: the default"
    )
    analysis_thresholds: AnalysisThresholdOverrides | None = None
