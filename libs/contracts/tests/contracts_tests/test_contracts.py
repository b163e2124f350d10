"""Every message survives the wire unchanged, and bad values are refused with a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from mv_contracts.asyncapi import asyncapi_document, render
from mv_contracts.runs import (
    EndpointCall,
    Executor,
    ScenarioRequest,
    Stage,
    TestRunRequest,
    scenario_tag,
)
from mv_contracts.spec import MAX_ANALYSIS_WARNINGS, SpecAnalysed, SpecAnalysedEvent, SpecSource
from mv_contracts.subjects import ALL_SUBJECTS, LIVE_METRICS, RUN_TEST, durable_name

from .samples import SCENARIO, TEST_ID, samples

REPO = Path(__file__).resolve().parents[4]


@pytest.mark.parametrize("message", samples(), ids=lambda m: m.type)
def test_round_trip_through_json_bytes(message: Any) -> None:
    wire = message.model_dump_json().encode("utf-8")
    back = type(message).model_validate_json(wire)
    assert back == message
    assert back.id == message.id


def test_every_subject_has_a_sample_and_types_are_unique() -> None:
    sampled = {type(m) for m in samples()}
    assert {s.message for s in ALL_SUBJECTS} == sampled
    types = [s.message.model_fields["type"].default for s in ALL_SUBJECTS]
    assert len(types) == len(set(types))


def test_korean_text_survives_byte_for_byte() -> None:
    request = next(m for m in samples() if m.type == "test.run.requested")
    wire = request.model_dump_json().encode("utf-8")
    assert "홍길동".encode() in wire
    assert json.loads(wire)["payload"]["scenarios"][0]["name"] == "주문 조회"


def test_envelope_refuses_unknown_fields_and_empty_correlation() -> None:
    message = samples()[0]
    data = message.model_dump(mode="json")
    with pytest.raises(ValidationError, match="extra"):
        type(message).model_validate({**data, "surprise": 1})
    with pytest.raises(ValidationError, match="correlation_id"):
        type(message).model_validate({**data, "correlation_id": ""})


def test_wrong_type_literal_is_refused() -> None:
    data = samples()[0].model_dump(mode="json")
    with pytest.raises(ValidationError, match="type"):
        type(samples()[0]).model_validate({**data, "type": "test.finished"})


@pytest.mark.parametrize(
    ("executor", "options", "missing"),
    [
        (Executor.CONSTANT_VUS, {}, "duration"),
        (Executor.RAMPING_VUS, {}, "stages"),
        (Executor.CONSTANT_ARRIVAL_RATE, {"duration": "1m"}, "rate, pre_allocated_vus"),
        (
            Executor.RAMPING_ARRIVAL_RATE,
            {"stages": [{"duration": "1m", "target": 5}]},
            "pre_allocated_vus",
        ),
        (Executor.PER_VU_ITERATIONS, {}, "iterations"),
        (Executor.SHARED_ITERATIONS, {}, "iterations"),
    ],
)
def test_executor_without_its_options_names_them(
    executor: Executor, options: dict[str, Any], missing: str
) -> None:
    with pytest.raises(ValidationError, match=f"{executor.value} needs {missing}"):
        ScenarioRequest(
            name="s", endpoint=EndpointCall(method="GET", path="/"), executor=executor, **options
        )


@pytest.mark.parametrize("duration", ["30", "1x", "-1s", "", "s", "1m 30s"])
def test_malformed_k6_duration_is_refused(duration: str) -> None:
    with pytest.raises(ValidationError, match="duration"):
        Stage(duration=duration, target=1)


def test_duplicate_scenario_names_are_refused() -> None:
    with pytest.raises(ValidationError, match="unique"):
        TestRunRequest(
            test_id=TEST_ID,
            title="t",
            project_id=1,
            base_url="http://127.0.0.1:1",
            scenarios=[SCENARIO, SCENARIO],
        )


def test_spec_source_needs_exactly_one_of_url_or_document() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        SpecSource()
    with pytest.raises(ValidationError, match="exactly one"):
        SpecSource(url="http://a.example/openapi.json", document="{}")


def test_an_analysed_event_without_warnings_is_still_valid() -> None:
    # The field was added later: events from before it (and their consumers) keep working.
    event = next(m for m in samples() if isinstance(m, SpecAnalysedEvent))
    data = event.payload.model_dump(mode="json")
    del data["warnings"]
    assert SpecAnalysed.model_validate(data).warnings == []
    warning = {"message": "left out"}
    with pytest.raises(ValidationError, match="warnings"):
        SpecAnalysed.model_validate({**data, "warnings": [warning] * (MAX_ANALYSIS_WARNINGS + 1)})


def test_nul_characters_are_refused_in_text() -> None:
    with pytest.raises(ValidationError, match="NUL"):
        EndpointCall(method="GET", path="/a\x00b")


def test_per_test_subjects_and_durable_names() -> None:
    assert LIVE_METRICS.for_test("abc") == "mv.live.metrics.abc"
    with pytest.raises(ValueError, match="not a per-test subject"):
        RUN_TEST.for_test("abc")
    assert durable_name("test-runner", RUN_TEST) == "test-runner--mv-cmd-test-run"


def test_asyncapi_lists_every_subject_with_its_payload_schema() -> None:
    document = asyncapi_document()
    assert set(document["channels"]) == {s.name for s in ALL_SUBJECTS}
    schemas = document["components"]["schemas"]
    for subject in ALL_SUBJECTS:
        assert subject.message.__name__ in schemas, subject.name


def test_committed_asyncapi_document_is_current() -> None:
    committed = (REPO / "docs" / "asyncapi.json").read_text(encoding="utf-8")
    assert committed == render(), "docs/asyncapi.json is stale: run `make asyncapi`"


@pytest.mark.parametrize(
    ("position", "name", "tag"),
    [(0, "Login test", "s01_login_test"), (1, "주문 조회", "s02"), (9, "a/b?c", "s10_a_b_c")],
)
def test_scenario_tags_are_k6_safe_and_unique_by_position(
    position: int, name: str, tag: str
) -> None:
    assert scenario_tag(position, name) == tag
