"""One request of a generated script: module-scope constants built once per VU and the k6 call
that sends them, so a request costs what a hand-written ``http.get(url)`` costs. Every user value
enters as a JSON literal (:func:`js_literal`); secret headers, query values and body fields come
from the environment through the functions of :data:`ENV_HELPERS`. A single-request scenario
(:mod:`.generator`) and each step of a journey (:mod:`.journey`) are built by
:func:`request_code`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from mv_contracts.runs import ENDPOINT_TAG, EndpointCall, MetricsMode, TestRunRequest
from mv_contracts.secrecy import body_secrets, secret_names, value_at, with_value

from .secrets import Secrets

# The precise mode's tag of every sample with its VU's id in the test (see vu_tag).
VU_TAG = "vu_id"

# Characters a path template may keep as they are; everything else is percent-encoded UTF-8.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


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


ENV_HELPERS = """\
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
