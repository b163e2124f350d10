"""The JavaScript a journey's script adds: constant functions only, no user text (every user
value reaches them as a JSON literal argument, built once per VU at module scope)."""

from __future__ import annotations

EXTRACTION_FAILURES = "mv_extraction_failures"

JOURNEY_HELPERS = """\
// Journeys: steps in order, values taken from answers into this iteration's variables.
import { check } from "k6";
import { Counter } from "k6/metrics";

// An extraction that finds nothing ends the iteration: counted here, tagged with its step.
const extractionFailures = new Counter("%(failures)s");

// A URL split at each variable's marker (percent-encoded as the URL holds it), once per VU.
function urlParts(url, markers) {
  const parts = [];
  let rest = url;
  for (;;) {
    let first = -1;
    let found = null;
    for (const marker of Object.keys(markers)) {
      const at = rest.indexOf(marker);
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
        found = marker;
      }
    }
    if (found === null) {
      break;
    }
    if (first > 0) {
      parts.push(rest.slice(0, first));
    }
    parts.push([markers[found]]);
    rest = rest.slice(first + found.length);
  }
  if (rest) {
    parts.push(rest);
  }
  return parts;
}

// parts: literal text and [variable]; a URL's variables are percent-encoded.
function fill(parts, vars, encode) {
  let text = "";
  for (const part of parts) {
    if (typeof part === "string") {
      text += part;
    } else {
      text += encode ? encodeURIComponent(vars[part[0]]) : String(vars[part[0]]);
    }
  }
  return text;
}

// A body field that is one variable keeps the variable's type (a number stays a number).
function fillBody(body, templates, vars) {
  const copy = JSON.parse(body);
  for (const [path, parts] of templates) {
    let node = copy;
    for (const part of path.slice(0, -1)) {
      node = node[part];
    }
    const whole = parts.length === 1 && typeof parts[0] !== "string";
    node[path[path.length - 1]] = whole ? vars[parts[0][0]] : fill(parts, vars, false);
  }
  return JSON.stringify(copy);
}

function withHeaders(params, templates, vars) {
  const headers = Object.assign({}, params.headers);
  for (const name of Object.keys(templates)) {
    headers[name] = fill(templates[name], vars, false);
  }
  return Object.assign({}, params, { headers });
}

function jsonAt(r, path) {
  let node;
  try {
    node = r.json();
  } catch (e) {
    return undefined;
  }
  for (const part of path) {
    if (node === null || typeof node !== "object" || !(part in node)) {
      return undefined;
    }
    node = node[part];
  }
  return node;
}

function headerOf(r, lowerName) {
  for (const name of Object.keys(r.headers)) {
    if (name.toLowerCase() === lowerName) {
      return r.headers[name];
    }
  }
  return undefined;
}

function extracted(r, source, expression) {
  if (source === "header") {
    return headerOf(r, expression);
  }
  if (source === "regex") {
    const found = typeof r.body === "string" ? expression.exec(r.body) : null;
    return found === null ? undefined : found.length > 1 ? found[1] : found[0];
  }
  return jsonAt(r, expression);
}

function extractInto(r, extractions, vars, tags) {
  for (const [variable, source, expression] of extractions) {
    const value = extracted(r, source, expression);
    if (value === undefined || value === null) {
      extractionFailures.add(1, tags);
      return false;
    }
    vars[variable] = value;
  }
  return true;
}

function sameJson(a, b) {
  if (a === b) {
    return true;
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b) || Object.keys(a).length !== Object.keys(b).length) {
    return false;
  }
  const has = (k) => Object.prototype.hasOwnProperty.call(b, k);
  return Object.keys(a).every((k) => has(k) && sameJson(a[k], b[k]));
}

const checks = {
  status_in: (statuses) => (r) => statuses.includes(r.status),
  json_equals: (path, value) => (r) => sameJson(jsonAt(r, path), value),
  json_exists: (path) => (r) => jsonAt(r, path) !== undefined,
  body_contains: (text) => (r) => typeof r.body === "string" && r.body.includes(text),
  header_present: (name) => (r) => headerOf(r, name) !== undefined,
  duration_under: (ms) => (r) => r.timings.duration < ms,
};
""".replace("%(failures)s", EXTRACTION_FAILURES)

SIGN_IN_HELPERS = """\
// A login's token, per VU: taken before the first iteration and again once it is as old as
// the scenario's refresh_seconds; a login whose answer holds none ends the iteration.
function signedIn(state, login) {
  const fresh = login.refreshMs === null || Date.now() - state.at < login.refreshMs;
  if (state.token !== null && fresh) {
    return true;
  }
  const r = login.send();
  const vars = {};
  if (!extractInto(r, [login.token], vars, login.tags)) {
    state.token = null;
    return false;
  }
  state.token = vars[login.token[0]];
  state.vars = vars;
  state.at = Date.now();
  state.params = login.params.map((each) => withHeaders(each, login.header, vars));
  return true;
}
"""

OAUTH_HELPERS = """\
// OAuth2 client credentials, per VU: a token taken before the first iteration and again
// shortly before the expires_in of its answer (a tenth of its life, at most 10 s, early).
function oauthSignedIn(state, oauth) {
  if (state.token !== null && Date.now() < state.until) {
    return true;
  }
  const r = http.post(oauth.url, oauth.body, oauth.params);
  const token = jsonAt(r, ["access_token"]);
  if (typeof token !== "string") {
    extractionFailures.add(1, oauth.tags);
    state.token = null;
    return false;
  }
  const life = jsonAt(r, ["expires_in"]);
  const seconds = typeof life === "number" ? life : 3600;
  state.token = token;
  state.until = Date.now() + (seconds - Math.min(10, seconds / 10)) * 1000;
  state.vars = { token };
  const header = { Authorization: ["Bearer ", ["token"]] };
  state.params = oauth.steps.map((each) => withHeaders(each, header, state.vars));
  return true;
}
"""
