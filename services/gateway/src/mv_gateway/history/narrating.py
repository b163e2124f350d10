"""Asking the configured chat model for a written summary of a test (OpenAI's chat completions
API, which most servers for local models speak as well)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from mv_contracts.metrics import MetricFigures
from mv_gateway.analysis import Analysis, Narrative, prompt
from mv_gateway.analysis.narrative import Language
from mv_gateway.core.errors import ServiceUnavailable
from mv_gateway.core.settings import Settings


def model_configured(settings: Settings) -> bool:
    """Whether a written summary can be asked for at all."""
    return bool(settings.llm_base_url and settings.llm_model)


class NoLanguageModel(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__("no language model is configured (LLM_BASE_URL and LLM_MODEL)")


class LanguageModelFailed(ServiceUnavailable):
    def __init__(self, reason: str) -> None:
        super().__init__(f"the language model gave no summary: {reason}")


async def narrate(
    settings: Settings,
    title: str,
    overall: MetricFigures,
    scenarios: dict[str, MetricFigures],
    analysis: Analysis,
    language: Language,
) -> Narrative:
    if not model_configured(settings) or settings.llm_base_url is None:
        raise NoLanguageModel()
    headers = {}
    if settings.llm_api_key is not None:
        headers["Authorization"] = f"Bearer {settings.llm_api_key.get_secret_value()}"
    body = {
        "model": settings.llm_model,
        "messages": prompt(title, overall, scenarios, analysis, language),
        "temperature": 0.2,
    }
    url = settings.llm_base_url.rstrip("/") + "/chat/completions"
    try:
        async with httpx.AsyncClient(timeout=settings.llm_timeout) as client:
            response = await client.post(url, json=body, headers=headers)
        response.raise_for_status()
        text = response.json()["choices"][0]["message"]["content"].strip()
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as error:
        raise LanguageModelFailed(str(error) or type(error).__name__) from error
    if not text:
        raise LanguageModelFailed("an empty answer")
    return Narrative(
        text=text, language=language, model=settings.llm_model, generated_at=datetime.now(UTC)
    )
