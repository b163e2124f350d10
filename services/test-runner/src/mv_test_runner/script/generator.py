"""TestRunRequest → k6 JavaScript, as a pure function: the same request gives the same bytes.

Every value a user wrote (title, URL, headers, bodies, names) enters the script only inside a
JSON literal produced by :func:`js_literal`; nothing is spliced into JavaScript source. JSON
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

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from mv_contracts.runs import (
    ENDPOINT_TAG,
    TEST_ID_TAG,
    EndpointCall,
    Executor,
    MetricsMode,
    ScenarioRequest,
    TestRunRequest,
    scenario_tag,
)
from mv_contracts.secrecy import body_secrets, secret_names, value_at, with_value
from mv_contracts.variables import uses_variables

from .counts import SUMMARY_TREND_STATS, counting_thresholds, handle_summary
from .secrets import ENV_PREFIX

# The precise mode's tag of every sample with its VU's id in the test (see vu_tag).
VU_TAG = "vu_id"

# Characters a path template may keep as they are; everything else is percent-encoded UTF-8.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


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


def js_literal(value: Any, *, indent: int | None = None) -> str:
    """A JavaScript literal of ``value``: JSON, UTF-8, U+2028/U+2029 escaped for old parsers."""
    text = json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def build_url(
    base_url: str, template: str, path_params: dict[str, str], query: dict[str, str]
) -> str:
    """The request URL: path parameters and query values percent-encoded as UTF-8."""
    parts: list[str] = []
    rest = template
    while "{" in rest and "}" in rest[rest.index("{") :]:
        start = rest.index("{")
        end = rest.index("}", start)
        name = rest[start + 1 : end]
        parts.append(quote(rest[:start], safe=_PATH_SAFE))
        if name in path_params:
            parts.append(quote(path_params[name], safe=""))
        else:
            parts.append(quote(rest[start : end + 1], safe=""))
        rest = rest[end + 1 :]
    parts.append(quote(rest, safe=_PATH_SAFE))
    path = "".join(parts)
    if not path.startswith("/"):
        path = "/" + path
    url = base_url.rstrip("/") + path
    if query:
        url += "?" + urlencode(list(query.items()), quote_via=quote)
    return url


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


def endpoint_tags(method: str, path: str) -> dict[str, str]:
    """The tags of an endpoint's samples: its path template and ``METHOD /path/template``."""
    return {"name": path, ENDPOINT_TAG: f"{method.upper()} {path}"}


def vu_tag(request: TestRunRequest) -> list[str]:
    """A scenario function's first line in the precise mode: its VU's id as a tag.

    InfluxDB keeps one point per series and timestamp, and two VUs' requests to one endpoint
    can carry the same nanosecond: one of them was lost and the summary counted short. A VU's
    own samples follow each other, so its id keeps every sample a point. The fast mode counts
    in the receiver, where a tag per VU would only multiply series.
    """
    if request.metrics_mode is not MetricsMode.PRECISE:
        return []
    return [f"  exec.vu.metrics.tags[{js_literal(VU_TAG)}] = String(exec.vu.idInTest);"]


def is_journey(scenario: ScenarioRequest) -> bool:
    """Whether the scenario needs a journey's code: steps, a sign-in, data, or a single request
    that takes variables (built in or generated)."""
    call = scenario.endpoint
    uses = call is not None and any(
        uses_variables(v) for v in (call.path_params, call.query, call.headers, call.body)
    )
    return bool(scenario.steps or scenario.sign_in or scenario.data) or uses


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


class Secrets:
    """The secret values of a script, each behind its own environment variable name."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def reference(self, value: str) -> str:
        name = f"{ENV_PREFIX}{len(self.values) + 1}"
        self.values[name] = value
        return name


def _headers(
    request: TestRunRequest, call: EndpointCall, secrets: Secrets
) -> tuple[dict[str, str], dict[str, str]]:
    """(plain headers, secret header → env variable name); endpoint headers win over global."""
    merged: dict[str, tuple[str, str, bool]] = {}
    for headers, marked in ((request.headers, request.secret_headers),
                            (call.headers, call.secrets.headers)):  # fmt: skip
        hidden_names = set(secret_names(headers, marked, fold=True))
        for name, value in headers.items():
            merged[name.lower()] = (name, value, name in hidden_names)
    if call.body is not None and "content-type" not in merged:
        merged["content-type"] = ("Content-Type", "application/json", False)
    plain: dict[str, str] = {}
    hidden: dict[str, str] = {}
    for name, value, secret in merged.values():
        if secret:
            hidden[name] = secrets.reference(value)
        else:
            plain[name] = value
    return plain, hidden


def _secret_pairs(pairs: list[tuple[Any, str]]) -> str:
    return "[" + ", ".join(f"[{js_literal(what)}, {js_literal(env)}]" for what, env in pairs) + "]"


def request_code(
    const: str,
    request: TestRunRequest,
    endpoint: EndpointCall,
    secrets: Secrets,
    *,
    about: dict[str, str],
    tags: dict[str, str] | None = None,
) -> tuple[list[str], str]:
    """(module-scope lines, call expression) of one request named ``const``.

    The lines declare the request as data, every user value a JSON literal (``about`` first:
    what the request belongs to, for a reader), then build once per VU what k6 is called with:
    the URL (secret query values from the environment), the JSON body as a string and the
    params (headers with the secret ones, ``tags`` when the request needs its own, as a step of
    a scenario with several requests does). The expression calls k6 with those constants only,
    so nothing is built per request; without headers or tags it is a bare ``http.get(url)``."""
    plain, hidden = _headers(request, endpoint, secrets)
    secret_query = secret_names(endpoint.query, endpoint.secrets.query, fold=False)
    query_pairs = [(n, secrets.reference(endpoint.query[n])) for n in secret_query]
    body = endpoint.body
    body_pairs: list[tuple[Any, str]] = []
    for path in body_secrets(body, endpoint.secrets.body):
        value = json.dumps(value_at(body, path), ensure_ascii=False, allow_nan=False)
        body_pairs.append((list(path), secrets.reference(value)))
        body = with_value(body, path, None)  # filled in from the environment at start
    query = {n: v for n, v in endpoint.query.items() if n not in secret_query}
    method = endpoint.method.upper()
    call = {
        **about,
        "method": method,
        "url": build_url(str(request.base_url), endpoint.path, endpoint.path_params, query),
        "headers": plain,
        "body": body,
    }
    lines = [f"const {const} = {js_literal(call, indent=2)};"]
    url = f"{const}.url"
    if query_pairs:
        url = f"secretQuery({url}, {_secret_pairs(query_pairs)})"
    lines.append(f"const {const}_URL = {url};")
    has_body = endpoint.body is not None
    if has_body:
        value = f"{const}.body"
        if body_pairs:
            value = f"secretBody({value}, {_secret_pairs(body_pairs)})"
        lines.append(f"const {const}_BODY = JSON.stringify({value});")
    params: list[str] = []
    if hidden:
        pairs = _secret_pairs(list(hidden.items()))
        params.append(f"headers: Object.assign({{}}, {const}.headers, secretHeaders({pairs}))")
    elif plain:
        params.append(f"headers: {const}.headers")
    if tags:
        params.append(f"tags: {js_literal(tags)}")
    if params:
        lines.append(f"const {const}_PARAMS = {{ {', '.join(params)} }};")
    args = [f"{const}_URL"]
    if method == "GET" and not has_body:
        function = "http.get"
    else:
        function = "http.request"
        args = [js_literal(method), *args, f"{const}_BODY" if has_body else "null"]
    if params:
        args.append(f"{const}_PARAMS")
    return lines, f"{function}({', '.join(args)})"


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

_HELPERS = """\
// Secrets come from environment variables set by the runner, never from this file.
function fromEnv(variable, what) {
  const value = __ENV[variable];
  if (value === undefined) {
    throw new Error("environment variable " + variable + " (" + what + ") is not set");
  }
  return value;
}

function secretHeaders(pairs) {
  const headers = {};
  for (const [header, variable] of pairs) {
    headers[header] = fromEnv(variable, "header " + header);
  }
  return headers;
}

function secretQuery(url, pairs) {
  for (const [name, variable] of pairs) {
    const value = fromEnv(variable, "query parameter " + name);
    const separator = url.includes("?") ? "&" : "?";
    url += separator + encodeURIComponent(name) + "=" + encodeURIComponent(value);
  }
  return url;
}

// A body field's variable holds its value as JSON, so numbers and objects keep their type.
function secretBody(body, pairs) {
  for (const [path, variable] of pairs) {
    let node = body;
    for (const part of path.slice(0, -1)) {
      node = node[part];
    }
    node[path[path.length - 1]] = JSON.parse(fromEnv(variable, "body field " + path.join(".")));
  }
  return body;
}
"""


def generate_script(request: TestRunRequest) -> GeneratedScript:
    """The k6 script of ``request`` and the secret environment it needs."""
    # Imported here: a journey's code is built from this module's parts.
    from .journey import (
        DATA_HELPERS,
        JOURNEY_HELPERS,
        OAUTH_HELPERS,
        SIGN_IN_HELPERS,
        data_files,
        journey_code,
        login_of,
        oauth_of,
    )

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
        _HELPERS,
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
