"""TestRunRequest → k6 JavaScript, as a pure function: the same request gives the same bytes.

Every value a user wrote (title, URL, headers, bodies, names) enters the script only inside a
JSON literal produced by :func:`.calls.js_literal`; nothing is spliced into JavaScript source. JSON
bodies are sent with ``JSON.stringify`` and ``Content-Type: application/json``. Secret headers,
query parameters and JSON body fields (marked, or named like a secret: see
:mod:`mv_contracts.secrecy`) are replaced by ``__ENV`` look-ups: their values travel in
:attr:`GeneratedScript.secrets`, which the executors hand to k6 as environment variables (a body
field's value as JSON, so it keeps its type). The script shows where each one goes, never it.

The script ends with the ``handleSummary`` of :mod:`.counts`, which logs k6's own count and
response times of the run for the platform to check the stored figures against (and, in the fast
mode, to take one runner's exact percentiles from).

Cost: a request of the generated script costs what a hand-written ``http.get(url)`` (or
``http.request`` with constant params) costs. Everything a request needs (URL, JSON body, params
with headers and secrets) is built once, when a VU starts (module scope), and the scenario's
function only calls k6 with those constants; per-request tags would cost k6 a new tag set per
request, so the ``name`` and ``endpoint`` tags are the scenario's own (``options.scenarios``),
which k6 puts on every sample of the scenario at no cost per request.

Tags: ``testid`` on every sample (``options.tags``, and the executors add ``--tag``), k6's own
``scenario`` tag is the scenario key ``scenario_tag(i, name)``, and each scenario's samples carry
``name`` = the path template and ``endpoint`` = ``"METHOD /path/template"``, so metrics group
without high-cardinality URL tags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mv_contracts.runs import (
    TEST_ID_TAG,
    Executor,
    ScenarioRequest,
    TestRunRequest,
    scenario_tag,
)

from .calls import ENV_HELPERS, endpoint_tags, js_literal, number, request_code, vu_tag
from .counts import SUMMARY_TREND_STATS, counting_thresholds, handle_summary
from .journey import (
    DATA_HELPERS,
    JOURNEY_HELPERS,
    OAUTH_HELPERS,
    SIGN_IN_HELPERS,
    data_files,
    is_journey,
    journey_code,
    login_of,
    oauth_of,
)
from .secrets import Secrets


@dataclass(frozen=True, slots=True)
class GeneratedScript:
    text: str
    secrets: dict[str, str] = field(default_factory=dict)
    """Environment variable name → secret value, e.g. ``MV_SECRET_1`` → ``Bearer ...``: the
    whole environment the script needs beyond k6's output settings."""
    files: dict[str, str] = field(default_factory=dict)
    """File name → content of the files the script reads beside itself (data files' rows)."""
    own_files: dict[str, bytes] = field(default_factory=dict)
    """A team's own script: every file of its archive (relative path → content), run as it is;
    empty for a generated script, whose one file is ``text``."""
    entry: str = "script.js"
    """The file k6 runs: ``script.js`` (``text``), or the own script's entry among ``own_files``."""


def executor_options(scenario: ScenarioRequest) -> dict[str, Any]:
    """The k6 scenario object of one ScenarioRequest (without ``exec``)."""
    options: dict[str, Any] = {"executor": scenario.executor.value}
    stages = [{"duration": s.duration, "target": s.target} for s in scenario.stages]
    match scenario.executor:
        case Executor.CONSTANT_VUS:
            options |= {"vus": scenario.vus or 1, "duration": scenario.duration}
        case Executor.RAMPING_VUS:
            options |= {"startVUs": scenario.vus or 0, "stages": stages}
        case Executor.CONSTANT_ARRIVAL_RATE:
            options |= {
                "rate": scenario.rate,
                "timeUnit": scenario.time_unit,
                "duration": scenario.duration,
                "preAllocatedVUs": scenario.pre_allocated_vus,
            }
            if scenario.max_vus:
                options["maxVUs"] = scenario.max_vus
        case Executor.RAMPING_ARRIVAL_RATE:
            options |= {
                "startRate": scenario.rate or 0,
                "timeUnit": scenario.time_unit,
                "preAllocatedVUs": scenario.pre_allocated_vus,
                "stages": stages,
            }
            if scenario.max_vus:
                options["maxVUs"] = scenario.max_vus
        case Executor.PER_VU_ITERATIONS | Executor.SHARED_ITERATIONS:
            options |= {"vus": scenario.vus or 1, "iterations": scenario.iterations}
            if scenario.duration:
                options["maxDuration"] = scenario.duration
    if scenario.start_time:
        options["startTime"] = scenario.start_time
    return options


def thresholds(key: str, scenario: ScenarioRequest) -> dict[str, list[str]]:
    """k6 thresholds on this scenario's submetrics, from its response-time and error targets."""
    found: dict[str, list[str]] = {}
    target = scenario.response_time_target
    if target is not None:
        found[f"http_req_duration{{scenario:{key}}}"] = [
            f"p({number(target.percentile)})<{number(target.max_ms)}"
        ]
    if scenario.error_rate_target is not None:
        found[f"http_req_failed{{scenario:{key}}}"] = [f"rate<{number(scenario.error_rate_target)}"]
    return found


def build_options(request: TestRunRequest) -> dict[str, Any]:
    scenarios: dict[str, Any] = {}
    all_thresholds: dict[str, list[str]] = {}
    for position, scenario in enumerate(request.scenarios):
        key = scenario_tag(position, scenario.name)
        scenarios[key] = {**executor_options(scenario), "exec": key}
        if not is_journey(scenario):  # a journey's requests carry their own
            endpoint = scenario.journey()[0].endpoint
            scenarios[key]["tags"] = endpoint_tags(endpoint.method, endpoint.path)
        for metric, criteria in thresholds(key, scenario).items():
            all_thresholds.setdefault(metric, []).extend(criteria)
        for metric, criteria in counting_thresholds(key).items():
            all_thresholds.setdefault(metric, []).extend(criteria)
    return {
        "tags": {TEST_ID_TAG: request.test_id},
        "discardResponseBodies": True,
        # Only the base URL was checked against the allowed targets: a redirect could lead the
        # load anywhere, so none is followed and the 3xx is the answer (see _PRELUDE).
        "maxRedirects": 0,
        "summaryTrendStats": SUMMARY_TREND_STATS,
        "scenarios": scenarios,
        "thresholds": all_thresholds,
    }


def _scenario_code(
    request: TestRunRequest, position: int, scenario: ScenarioRequest, secrets: Secrets
) -> str:
    key = scenario_tag(position, scenario.name)
    lines, call = request_code(
        key.upper(),
        request,
        scenario.journey()[0].endpoint,
        secrets,
        about={"scenario": scenario.name},
    )
    lines += ["", f"export function {key}() {{", *vu_tag(request), f"  {call};"]
    if scenario.think_time > 0:
        lines.append(f"  sleep({number(scenario.think_time)});")
    lines.append("}")
    return "\n".join(lines)


_PRELUDE = """\
// Generated by Metric Vault from a test request. Every user value below is a JSON literal.
import http from "k6/http";
import exec from "k6/execution";
import { sleep } from "k6";

// Redirects are not followed (options.maxRedirects): a 3xx answer, but for 304 Not Modified,
// means the request did not reach what it aimed at, so it counts as failed (by its status).
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, 304));
"""


def generate_script(request: TestRunRequest) -> GeneratedScript:
    """The k6 script of ``request`` and the secret environment it needs."""
    secrets = Secrets()
    test = {
        "id": request.test_id,
        "title": request.title,
        "description": request.description,
        "targetTps": request.target_tps,
    }
    sections = [
        _PRELUDE,
        f"const TEST = {js_literal(test, indent=2)};\n",
        f"export const options = {js_literal(build_options(request), indent=2)};\n",
        ENV_HELPERS,
        handle_summary([scenario_tag(i, s.name) for i, s in enumerate(request.scenarios)]),
    ]
    if any(is_journey(s) for s in request.scenarios):
        sections.append(JOURNEY_HELPERS)
    if any(login_of(s) for s in request.scenarios):
        sections.append(SIGN_IN_HELPERS)
    if any(oauth_of(s) for s in request.scenarios):
        sections.append(OAUTH_HELPERS)
    data_lines, files = data_files(request)
    if data_lines:
        sections += [DATA_HELPERS, "\n".join(data_lines) + "\n"]
    for position, scenario in enumerate(request.scenarios):
        if is_journey(scenario):
            key = scenario_tag(position, scenario.name)
            sections.append(journey_code(request, key, scenario, secrets) + "\n")
        else:
            sections.append(_scenario_code(request, position, scenario, secrets) + "\n")
    return GeneratedScript(text="\n".join(sections), secrets=secrets.values, files=files)
