"""Values the web UI needs before the API has answered and that OpenAPI cannot carry are
copied into ``web/src/api/client.ts``; each copy must equal the contract's value."""

from __future__ import annotations

import re
from pathlib import Path

from mv_contracts.metrics import HISTOGRAM_ERROR_BOUND
from mv_contracts.secrecy import SECRET_MASK, SECRET_NAME

CLIENT = Path(__file__).parents[4] / "web" / "src" / "api" / "client.ts"


def test_the_uis_histogram_bound_is_the_contracts() -> None:
    found = re.search(r"export const HISTOGRAM_ERROR_BOUND = ([0-9.]+);", CLIENT.read_text())
    assert found, "web/src/api/client.ts no longer states HISTOGRAM_ERROR_BOUND"
    assert float(found.group(1)) == round(HISTOGRAM_ERROR_BOUND, 4)


def test_the_uis_secret_rule_and_mask_are_the_contracts() -> None:
    client = CLIENT.read_text()
    pattern = re.search(r'export const SECRET_NAME = new RegExp\("([^"]+)", "i"\);', client)
    assert pattern, "web/src/api/client.ts no longer states SECRET_NAME"
    assert pattern.group(1) == SECRET_NAME.pattern
    assert SECRET_NAME.flags & re.IGNORECASE
    assert f'export const SECRET_MASK = "{SECRET_MASK}";' in client
