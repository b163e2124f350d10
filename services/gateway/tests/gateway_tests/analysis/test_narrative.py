"""The optional written summary. No language model can run on this machine, so a stand-in
server speaking OpenAI's chat-completions API answers instead: it records what the gateway
asked and returns a fixed text. What is tested is ours: the prompt holds the findings and
figures (not raw samples), the answer is kept with the analysis, labelled as generated, and a
missing or failing model is a clear 503."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_tests.history.stored_runs import project, stored_run
from gateway_tests.served import serve_in_thread

ASKED: list[dict[str, Any]] = []


def stand_in_model() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> dict[str, Any]:
        body = await request.json()
        ASKED.append({"body": body, "authorization": request.headers.get("authorization")})
        if body["model"] == "broken":
            return {"choices": []}
        return {"choices": [{"message": {"role": "assistant", "content": " 결제가 느립니다. "}}]}

    return app


@pytest.fixture(scope="module")
def model_url() -> Iterator[str]:
    with serve_in_thread(stand_in_model()) as base:
        yield f"{base}/v1"


@pytest.fixture
def settings_overrides(model_url: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    changes: dict[str, Any] = getattr(request, "param", {})
    return {"llm_base_url": model_url, "llm_model": "team-model", "llm_api_key": "k-123"} | changes


async def test_a_summary_is_written_from_the_findings_and_kept(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ASKED.clear()
    test = await stored_run(session, await project(session), 180)
    response = await client.post(f"/test-history/{test.id}/narrative", params={"lang": "ko"})
    assert response.status_code == 200, response.text
    narrative = response.json()["narratives"]["ko"]
    assert narrative["text"] == "결제가 느립니다."
    assert (narrative["generated"], narrative["model"], narrative["language"]) == (
        True,
        "team-model",
        "ko",
    )
    (asked,) = ASKED
    assert asked["authorization"] == "Bearer k-123"
    facts = json.loads(asked["body"]["messages"][1]["content"])
    assert facts["overall"]["p95_response_time"] == 180
    assert any(f["finding"] == "p95 target missed" for f in facts["findings"])
    assert "한국어" in asked["body"]["messages"][0]["content"]
    # Kept: asked again, the model is not asked twice; the analysis shows it.
    again = await client.post(f"/test-history/{test.id}/narrative", params={"lang": "ko"})
    assert again.json()["narratives"]["ko"] == narrative
    assert len(ASKED) == 1
    stored = (await client.get(f"/test-history/{test.id}/analysis")).json()
    assert stored["narratives"]["ko"]["text"] == "결제가 느립니다."
    report = await client.get(f"/test-history/{test.id}/report.html", params={"lang": "ko"})
    assert "결제가 느립니다." in report.text
    assert "team-model" in report.text


@pytest.mark.parametrize(
    ("settings_overrides", "message"),
    [
        ({"llm_base_url": None}, "no language model is configured"),
        ({"llm_model": "broken"}, "the language model gave no summary"),
        ({"llm_base_url": "http://127.0.0.1:9/v1"}, "the language model gave no summary"),
    ],
    indirect=["settings_overrides"],
)
async def test_no_model_or_a_failing_one_is_a_clear_503(
    client: httpx.AsyncClient, session: AsyncSession, message: str
) -> None:
    test = await stored_run(session, await project(session), 180)
    response = await client.post(f"/test-history/{test.id}/narrative")
    assert response.status_code == 503
    assert message in response.text
