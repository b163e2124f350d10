"""Every corpus document analysed: operation count, tags, base URL and version as counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mv_spec_analyzer.analysing import normalise
from mv_spec_analyzer.parsing import parse_document

MANIFEST: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent.parent / "corpus" / "manifest.json").read_text()
)
SOURCE_URL = "http://corpus.test/docs/openapi.json"
MAX_BYTES = 20 * 1024 * 1024


def test_the_corpus_covers_what_the_issue_asks() -> None:
    entries = MANIFEST.values()
    assert len(MANIFEST) >= 40
    assert {e["openapi"][:3] for e in entries} >= {"2.0", "3.0", "3.1"}
    assert {e["format"] for e in entries} == {"json", "yaml"}
    assert max(e["operations"] for e in entries) > 1000
    assert min(e["operations"] for e in entries) <= 3
    assert any(e["non_ascii"] for e in entries)


@pytest.mark.parametrize("key", sorted(MANIFEST))
def test_corpus_document(key: str, corpus: dict[str, Path]) -> None:
    expected = MANIFEST[key]
    data = parse_document(corpus[key].read_bytes(), max_bytes=MAX_BYTES)
    spec, _ = normalise(data, SOURCE_URL, {})

    assert len(spec.endpoints) == expected["operations"]
    assert sorted({tag for e in spec.endpoints for tag in e.tags}) == expected["tags"]
    assert spec.base_url == expected["base_url"]
    assert spec.openapi_version == ("2.0" if expected["openapi"] == "2.0" else expected["openapi"])
    assert len({e.key for e in spec.endpoints}) == len(spec.endpoints)
    # The whole result travels as JSON: it must serialise and read back equal.
    assert type(spec).model_validate_json(spec.model_dump_json()) == spec


def test_non_ascii_text_survives(corpus: dict[str, Path]) -> None:
    key = "octokit-openapi--generated-api.github.com.json"
    raw = json.loads(corpus[key].read_bytes())
    spec, _ = normalise(parse_document(corpus[key].read_bytes(), max_bytes=MAX_BYTES), None, {})
    by_key = {e.key: e for e in spec.endpoints}
    checked = 0
    for path, item in raw["paths"].items():
        for method, operation in item.items():
            description = operation.get("description") if isinstance(operation, dict) else None
            if description and not description.isascii():
                assert by_key[f"{method.upper()} {path}"].description == description
                checked += 1
    assert checked > 0
