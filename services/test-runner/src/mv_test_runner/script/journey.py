"""A journey scenario → its k6 code: steps in order on every iteration, each step's request
built once per VU as a single request is (:func:`.calls.request_code`), only the parts that
take a variable filled per request; extractions into the iteration's variables (one that finds
nothing ends the iteration, counted by ``mv_extraction_failures``); k6 checks per step; and the
scenario's sign-in. Each request carries the ``step`` tag (the login's: ``login``), so every
figure exists per step.

Sign-in: a bearer token, an API key or HTTP basic become a secret header (or query parameter) of
every step, through the same environment variables as any secret field; a login is a request of
its own, sent per VU before the first iteration and again when its token is ``refresh_seconds``
old, whose token every step then sends (the steps' params are rebuilt at each login, not per
request); an OAuth2 grant (client credentials or password) is such a login to a token endpoint.
"""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from mv_contracts.data import DataSet
from mv_contracts.journeys import Extraction, Source, Step, path_parts
from mv_contracts.runs import STEP_TAG, EndpointCall, Executor, ScenarioRequest, TestRunRequest
from mv_contracts.signin import (
    LOGIN_STEP,
    ApiKeySignIn,
    BasicSignIn,
    BearerSignIn,
    KeyLocation,
    LoginSignIn,
    OAuth2Grant,
    OAuth2PasswordSignIn,
    SignIn,
)
from mv_contracts.variables import REFERENCE, generator_call, parts, templates, uses_variables

from .calls import endpoint_tags, js_literal, number, request_code, vu_tag
from .journey_js import DATA_HELPERS, JOURNEY_HELPERS, OAUTH_HELPERS, SIGN_IN_HELPERS
from .secrets import Secrets

__all__ = [
    "DATA_HELPERS",
    "JOURNEY_HELPERS",
    "OAUTH_HELPERS",
    "SIGN_IN_HELPERS",
    "data_files",
    "is_journey",
    "journey_code",
    "login_of",
    "oauth_of",
]


# The built-in variables (mv_contracts.variables.BUILT_IN), per iteration.
_BUILT_IN = '{ "$test": TEST.id, "$vu": __VU, "$iteration": __ITER }'


# Executors whose VUs loop at once: a VU without a row rests (DATA_HELPERS' dataRow).
_LOOPING = (Executor.CONSTANT_VUS, Executor.RAMPING_VUS)


def _data_const(file_id: int) -> str:
    return f"DATA_{file_id}"


def data_files(request: TestRunRequest) -> tuple[list[str], dict[str, str]]:
    """(module-scope lines, file name → content) of the data files the scenarios use: each
    file's rows as JSON beside the script, read by a ``SharedArray``; only its name is here."""
    used = {s.data.file_id for s in request.scenarios if s.data is not None}
    sets: list[DataSet] = [d for d in request.data if d.id in used]
    lines = [f"const {_data_const(d.id)} = dataFile({js_literal(d.file_name)});" for d in sets]
    files = {d.file_name: js_literal({"columns": d.columns, "rows": d.rows}) + "\n" for d in sets}
    return lines, files


def _data_lines(request: TestRunRequest, key: str, scenario: ScenarioRequest) -> list[str]:
    assert scenario.data is not None
    (found,) = [d for d in request.data if d.id == scenario.data.file_id]
    data = {"columns": found.columns, "mode": scenario.data.mode.value,
            "rest": scenario.executor in _LOOPING}  # fmt: skip
    rows = _data_const(found.id)
    return [f"const {key.upper()}_DATA = Object.assign({{ rows: {rows} }}, {js_literal(data)});"]


def is_journey(scenario: ScenarioRequest) -> bool:
    """Whether the scenario needs a journey's code: steps, a sign-in, data, or a single request
    that takes variables (built in or generated)."""
    call = scenario.endpoint
    uses = call is not None and any(
        uses_variables(v) for v in (call.path_params, call.query, call.headers, call.body)
    )
    return bool(scenario.steps or scenario.sign_in or scenario.data) or uses


def login_of(scenario: ScenarioRequest) -> LoginSignIn | None:
    return scenario.sign_in if isinstance(scenario.sign_in, LoginSignIn) else None


def oauth_of(scenario: ScenarioRequest) -> OAuth2Grant | None:
    return scenario.sign_in if isinstance(scenario.sign_in, OAuth2Grant) else None


def _with_secret_header(call: EndpointCall, name: str, value: str) -> EndpointCall:
    headers = {k: v for k, v in call.headers.items() if k.lower() != name.lower()}
    marks = [*call.secrets.headers, name]
    return call.model_copy(
        update={
            "headers": {**headers, name: value},
            "secrets": call.secrets.model_copy(update={"headers": marks}),
        }
    )


def signed_call(call: EndpointCall, sign_in: SignIn | None) -> EndpointCall:
    """The step's request with the sign-in's secret in it (a login's is added per VU)."""
    match sign_in:
        case BearerSignIn():
            return _with_secret_header(call, "Authorization", f"Bearer {sign_in.token}")
        case BasicSignIn():
            pair = f"{sign_in.username}:{sign_in.password}".encode()
            return _with_secret_header(
                call, "Authorization", "Basic " + base64.b64encode(pair).decode("ascii")
            )
        case ApiKeySignIn() if sign_in.location is KeyLocation.HEADER:
            return _with_secret_header(call, sign_in.name, sign_in.value)
        case ApiKeySignIn() if sign_in.location is KeyLocation.COOKIE:
            return _with_secret_header(call, "Cookie", f"{sign_in.name}={sign_in.value}")
        case ApiKeySignIn():
            marks = [*call.secrets.query, sign_in.name]
            return call.model_copy(
                update={
                    "query": {**call.query, sign_in.name: sign_in.value},
                    "secrets": call.secrets.model_copy(update={"query": marks}),
                }
            )
        case _:
            return call


def _js_part(reference: str) -> list[Any]:
    """A variable as the script's parts hold it: ``[name]`` or ``[generator, *arguments]``."""
    call = generator_call(reference)
    return [reference] if call is None else [call[0], *call[1]]


def _js_parts(template: str) -> list[Any]:
    return [_js_part(text) if variable else text for variable, text in parts(template)]


def _extraction(extraction: Extraction) -> str:
    variable = js_literal(extraction.variable)
    match extraction.source:
        case Source.JSON:
            expression = js_literal(path_parts(extraction.expression))
        case Source.HEADER:
            expression = js_literal(extraction.expression.lower())
        case Source.REGEX:
            expression = f"new RegExp({js_literal(extraction.expression)})"
    return f"[{variable}, {js_literal(extraction.source.value)}, {expression}]"


def _needs_body(step: Step, extra: list[Extraction]) -> bool:
    kinds = {c.kind for c in step.checks}
    sources = {e.source for e in [*step.extract, *extra]}
    return bool(kinds & {"json_equals", "json_exists", "body_contains"}) or bool(
        sources & {Source.JSON, Source.REGEX}
    )


def _request(
    const: str,
    request: TestRunRequest,
    scenario: ScenarioRequest,
    step: Step,
    secrets: Secrets,
    *,
    params: str | None = None,
    extra: list[Extraction] | None = None,
) -> tuple[list[str], str]:
    """(module-scope lines, call expression) of a step's request; ``params``: the expression
    of its base params when not its own constant (a login's, rebuilt per token)."""
    call = signed_call(step.endpoint, scenario.sign_in)
    tags = endpoint_tags(call.method, call.path) | {STEP_TAG: step.name}
    about = {"scenario": scenario.name, "step": step.name}
    lines, expression = request_code(const, request, call, secrets, about=about, tags=tags)
    if _needs_body(step, extra or []):
        lines.append(f'{const}_PARAMS.responseType = "text";')
    markers = {
        quote(found.group(0), safe=""): _js_part(re.sub(r"\s+", "", found.group(1)))
        for value in [*call.path_params.values(), *call.query.values()]
        for found in REFERENCE.finditer(value)
    }
    if markers:
        lines.append(f"const {const}_URL_PARTS = urlParts({const}_URL, {js_literal(markers)});")
        expression = re.sub(rf"\b{const}_URL\b", f"fill({const}_URL_PARTS, vars, true)", expression)
    bodies = [[list(p), _js_parts(_at(call.body, p))] for p in templates(call.body)]
    if bodies:
        lines.append(f"const {const}_BODY_TEMPLATES = {js_literal(bodies)};")
        fill_body = f"fillBody({const}_BODY, {const}_BODY_TEMPLATES, vars)"
        expression = re.sub(rf"\b{const}_BODY\b", fill_body, expression)
    headers = {n: _js_parts(v) for n, v in call.headers.items() if uses_variables(v)}
    base = params or f"{const}_PARAMS"
    if headers:
        lines.append(f"const {const}_HEADERS = {js_literal(headers)};")
        base = f"withHeaders({base}, {const}_HEADERS, vars)"
    expression = re.sub(rf"\b{const}_PARAMS\b", base, expression)
    return lines, expression


def _at(body: Any, path: tuple[str | int, ...]) -> str:
    for part in path:
        body = body[part]
    return str(body)


def _step_lines(const: str, step: Step) -> tuple[list[str], list[str]]:
    """(module-scope lines, lines of the scenario's function after the request) of a step."""
    init = [f"const {const}_TAGS = {js_literal({STEP_TAG: step.name})};"]
    after: list[str] = []
    if step.checks:
        entries = [
            f"  {js_literal(name)}: checks.{check.kind}({_check_args(check)}),"
            for name, check in zip(step.check_names(), step.checks, strict=True)
        ]
        init += [f"const {const}_CHECKS = {{", *entries, "};"]
        after.append(f"  check(r, {const}_CHECKS, {const}_TAGS);")
    if step.extract:
        extractions = ", ".join(_extraction(e) for e in step.extract)
        init.append(f"const {const}_EXTRACT = [{extractions}];")
        after += [f"  if (!extractInto(r, {const}_EXTRACT, vars, {const}_TAGS)) {{",
                  "    return;", "  }"]  # fmt: skip
    if step.think_time > 0:
        after.append(f"  sleep({number(step.think_time)});")
    return init, after


def _check_args(check: Any) -> str:
    data = check.model_dump(mode="json", exclude={"kind"})
    match check.kind:
        case "json_equals":
            return f"{js_literal(path_parts(check.path))}, {js_literal(data['value'])}"
        case "json_exists":
            return js_literal(path_parts(check.path))
        case "header_present":
            return js_literal(check.header.lower())
        case _:
            return js_literal(next(iter(data.values())))


def journey_code(
    request: TestRunRequest, key: str, scenario: ScenarioRequest, secrets: Secrets
) -> str:
    """The module-scope constants and the exported function of a journey scenario."""
    steps = scenario.journey()
    consts = [f"{key.upper()}_{i + 1:02d}" for i in range(len(steps))]
    login, oauth = login_of(scenario), oauth_of(scenario)
    state = f"{key.upper()}_SIGN_IN"
    lines: list[str] = []
    body = [f"export function {key}() {{", *vu_tag(request)]
    given = [_BUILT_IN]
    if scenario.data is not None:  # a row first: without one, nothing is sent, not even a login
        lines += _data_lines(request, key, scenario)
        body += [f"  const row = dataRow({key.upper()}_DATA);", "  if (row === null) {",
                 "    return;", "  }"]  # fmt: skip
        given.append("row")
    if oauth is not None:
        body += [f"  if (!oauthSignedIn({state}, {state}_OAUTH)) {{", "    return;", "  }"]
        given.append(f"{state}.vars")
    elif login is not None:
        body += [f"  if (!signedIn({state}, {state}_LOGIN)) {{", "    return;", "  }"]
        given.append(f"{state}.vars")
    if len(given) == 1:
        body.append(f"  const vars = {_BUILT_IN};")
    else:
        body.append(f"  const vars = Object.assign({', '.join(given)});")
    body.append("  let r;")
    for index, (const, step) in enumerate(zip(consts, steps, strict=True)):
        base = f"{state}.params[{index}]" if login or oauth else None
        request_lines, call = _request(const, request, scenario, step, secrets, params=base)
        init, after = _step_lines(const, step)
        lines += [*request_lines, *init, ""]
        body += [f"  r = {call};", *after]
    if scenario.think_time > 0:
        body.append(f"  sleep({number(scenario.think_time)});")
    if login is not None:  # after the steps: it names their params
        lines += _login_lines(request, key, scenario, login, consts, secrets)
    if oauth is not None:
        lines += _oauth_lines(key, oauth, consts, secrets)
    return "\n".join([*lines, *body, "}"])


def _login_lines(
    request: TestRunRequest,
    key: str,
    scenario: ScenarioRequest,
    login: LoginSignIn,
    consts: list[str],
    secrets: Secrets,
) -> list[str]:
    const = f"{key.upper()}_LOGIN"
    step = Step(name=LOGIN_STEP, endpoint=login.endpoint)
    # The login itself is sent without the scenario's sign-in.
    unsigned = scenario.model_copy(update={"sign_in": None})
    lines, call = _request(const, request, unsigned, step, secrets, extra=[login.token])
    refresh = None if login.refresh_seconds is None else round(login.refresh_seconds * 1000)
    header = {login.header: [login.prefix, [login.token.variable]] if login.prefix
              else [[login.token.variable]]}  # fmt: skip
    state = f"{key.upper()}_SIGN_IN"
    return [
        *lines,
        f"const {state}_LOGIN = {{",
        f"  send: () => {call},",
        f"  token: {_extraction(login.token)},",
        f"  tags: {js_literal({STEP_TAG: LOGIN_STEP})},",
        f"  header: {js_literal(header)},",
        f"  refreshMs: {js_literal(refresh)},",
        f"  params: [{', '.join(f'{c}_PARAMS' for c in consts)}],",
        "};",
        f"const {state} = {{ token: null, at: 0, vars: {{}}, params: [] }};",
        "",
    ]


def _token_form(oauth: OAuth2Grant, secrets: Secrets) -> tuple[str, str | None]:
    """(the token request's form as a JS expression, the env variable of its HTTP basic client
    authentication or None). The password is read from the environment, never written here."""
    form = "grant_type=client_credentials"
    tail = ""
    if isinstance(oauth, OAuth2PasswordSignIn):
        env = secrets.reference(oauth.password)
        form = f"grant_type=password&username={quote(oauth.username, safe='')}&password="
        form = f'{js_literal(form)} + encodeURIComponent(fromEnv({js_literal(env)}, "password"))'
        if oauth.client_secret is None:  # a public client names itself in the form
            tail += "&client_id=" + quote(oauth.client_id, safe="")
    if oauth.scope:
        tail += "&scope=" + quote(oauth.scope, safe="")
    if isinstance(oauth, OAuth2PasswordSignIn):
        form += f" + {js_literal(tail)}" if tail else ""
    else:
        form = js_literal(form + tail)
    if oauth.client_secret is None:
        return form, None
    # RFC 6749 2.3.1: each is form-encoded before it goes into HTTP Basic, so a ':' or '+' in
    # them reaches the server as written.
    pair = f"{quote_plus(oauth.client_id)}:{quote_plus(oauth.client_secret)}".encode()
    return form, secrets.reference("Basic " + base64.b64encode(pair).decode("ascii"))


def _oauth_lines(key: str, oauth: OAuth2Grant, consts: list[str], secrets: Secrets) -> list[str]:
    body, basic = _token_form(oauth, secrets)
    tags = endpoint_tags("POST", urlsplit(str(oauth.token_url)).path or "/") | {
        STEP_TAG: LOGIN_STEP
    }
    form = js_literal({"Content-Type": "application/x-www-form-urlencoded"})
    headers = form
    if basic is not None:
        headers = f'Object.assign({form}, secretHeaders([["Authorization", {js_literal(basic)}]]))'
    state = f"{key.upper()}_SIGN_IN"
    return [
        f"const {state}_OAUTH = {{",
        f"  url: {js_literal(str(oauth.token_url))},",
        f"  body: {body},",
        f'  params: {{ headers: {headers}, tags: {js_literal(tags)}, responseType: "text" }},',
        f"  tags: {js_literal({STEP_TAG: LOGIN_STEP})},",
        f"  steps: [{', '.join(f'{c}_PARAMS' for c in consts)}],",
        "};",
        f"const {state} = {{ token: null, until: 0, vars: {{}}, params: [] }};",
        "",
    ]
