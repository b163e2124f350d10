"""Journey scripts: byte-exact golden files, accepted by ``k6 inspect``, secrets only in the
environment, and constant requests built once per VU."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mv_contracts.runs import MetricsMode
from mv_test_runner.script import generate_script
from mv_test_runner.script.calls import VU_TAG

from .golden import check_bytes, files
from .golden_journeys import JOURNEYS, LOGIN_PASSWORD, OAUTH_PASSWORD_SECRETS, SIGN_IN_SECRETS
from .test_script_generation import inspect


@pytest.mark.parametrize("case", sorted(JOURNEYS))
def test_golden_journey_scripts(case: str) -> None:
    check_bytes(f"journeys/{case}.js", generate_script(JOURNEYS[case]()).text)


def test_golden_journey_files_match_the_cases() -> None:
    assert files("journeys") == {f"{case}.js" for case in JOURNEYS}


@pytest.mark.parametrize("case", sorted(JOURNEYS))
def test_journey_scripts_are_valid_k6(case: str, k6: str, tmp_path: Path) -> None:
    request = JOURNEYS[case]()
    generated = generate_script(request)
    for name, content in generated.files.items():  # data files, read beside the script
        (tmp_path / name).write_text(content, encoding="utf-8")
    options = inspect(k6, tmp_path, generated.text, generated.secrets)
    assert len(options["scenarios"]) == len(request.scenarios)
    for scenario in options["scenarios"].values():
        assert not scenario.get("tags")  # each request carries its step's own


def test_sign_in_secrets_reach_k6_only_through_the_environment() -> None:
    for case in JOURNEYS:
        generated = generate_script(JOURNEYS[case]())
        for secret in (LOGIN_PASSWORD, *SIGN_IN_SECRETS, *OAUTH_PASSWORD_SECRETS):
            assert secret not in generated.text
    env = generate_script(JOURNEYS["sign-ins"]()).secrets
    assert sorted(env.values()) == sorted(
        [
            "Bearer B34RER-S3CRET",
            "HEAD3R-KEY",
            "QU3RY-KEY",
            "sid=C00KIE-KEY",
            "Basic 7ZmN6ri464+ZOkJBUzFDLVBX",
            "Basic c2hvcDowQVVUSC1TM0NSRVQ=",
        ]
    )
    env = generate_script(JOURNEYS["oauth-password"]()).secrets
    assert sorted(env.values()) == sorted(
        [OAUTH_PASSWORD_SECRETS[0], "Basic c2hvcDpDTDFFTlQtUzNDUkVU", OAUTH_PASSWORD_SECRETS[0]]
    )
    assert json.loads(generate_script(JOURNEYS["vault-journey"]()).secrets["MV_SECRET_1"]) == (
        LOGIN_PASSWORD
    )


def test_a_step_without_variables_builds_nothing_per_request() -> None:
    text = generate_script(JOURNEYS["vault-journey"]()).text
    function = text.split("export function s01_vault() {\n", 1)[1].split("\n}", 1)[0]
    requests = [line for line in function.splitlines() if line.startswith("  r = ")]
    assert (
        requests[0] == '  r = http.request("POST", S01_VAULT_01_URL, fillBody(S01_VAULT_01_BODY, '
        "S01_VAULT_01_BODY_TEMPLATES, vars), S01_VAULT_SIGN_IN.params[0]);"
    )
    # The signed-in params are rebuilt at each login, not per request.
    assert not re.search(r"withHeaders\(S01_VAULT_SIGN_IN\.params\[[03]\]", function)


@pytest.mark.parametrize("mode", list(MetricsMode))
def test_each_vu_tags_its_samples_in_the_precise_mode_only(mode: MetricsMode) -> None:
    for case in JOURNEYS:
        request = JOURNEYS[case]().model_copy(update={"metrics_mode": mode})
        text = generate_script(request).text
        functions = text.split("\nexport function s")[1:]  # scenario functions: s01_...
        assert len(functions) == len(request.scenarios)
        first_lines = {function.splitlines()[1] for function in functions}
        if mode is MetricsMode.PRECISE:
            tag_line = f'  exec.vu.metrics.tags["{VU_TAG}"] = String(exec.vu.idInTest);'
            assert first_lines == {tag_line}
        else:
            assert VU_TAG not in text
